package dev.ferry.node.run;

import dev.ferry.testkit.MariaDbServerExtension;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbReplicaSkipTest extends ReplicaSkipContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Override
  String targetUrl() throws Exception {
    return mariadb.server().createDatabase("skip" + DATABASES.incrementAndGet());
  }

  @Override
  boolean readOnly() {
    return false; // read_only is the whole server's, and this class's tests share one
  }
}
