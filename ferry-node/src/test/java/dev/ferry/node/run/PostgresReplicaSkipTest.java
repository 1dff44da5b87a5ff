package dev.ferry.node.run;

import dev.ferry.testkit.PostgresClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On a read-only PostgreSQL replica: the skip is written through Ferry's session, past the database default. */
class PostgresReplicaSkipTest extends ReplicaSkipContract {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Override
  String targetUrl() throws Exception {
    return postgres.cluster().createDatabase("skip" + System.nanoTime());
  }

  @Override
  boolean readOnly() {
    return true;
  }
}
