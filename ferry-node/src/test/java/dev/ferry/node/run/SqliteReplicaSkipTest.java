package dev.ferry.node.run;

import dev.ferry.testkit.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;

class SqliteReplicaSkipTest extends ReplicaSkipContract {
  private SqliteDatabase target;

  @Override
  String targetUrl() throws Exception {
    target = SqliteDatabase.create();
    return target.jdbcUrl();
  }

  @Override
  boolean readOnly() {
    return true;
  }

  @AfterEach
  void closeTarget() throws Exception {
    target.close();
  }
}
