package dev.ferry.bench.mariadb;

import java.sql.SQLException;

/**
 * MariaDB's own replication of the primary: {@code CHANGE MASTER TO … MASTER_USE_GTID=slave_pos}
 * with {@code slave_parallel_mode=optimistic} and {@code threads} parallel appliers, started and
 * stopped as a whole (I/O and SQL threads). One thread.
 */
final class NativeReplica {
  private final String url;

  private NativeReplica(String url) {
    this.url = url;
  }

  /**
   * Points the replica at {@code primaryPort} from {@code gtidPos} (the primary's position once both
   * hold the same data), not yet started.
   */
  static NativeReplica configure(String replicaUrl, String primaryUrl, int primaryPort, String gtidPos, int threads)
      throws SQLException {
    Sql.exec(primaryUrl, "SET SESSION sql_log_bin = 0", "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl'",
        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
    Sql.exec(replicaUrl, "SET GLOBAL slave_parallel_mode = 'optimistic'",
        "SET GLOBAL slave_parallel_threads = " + threads,
        "SET GLOBAL gtid_slave_pos = '" + gtidPos + "'",
        "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " + primaryPort
            + ", MASTER_USER = 'repl', MASTER_PASSWORD = 'repl', MASTER_USE_GTID = slave_pos");
    return new NativeReplica(replicaUrl);
  }

  void start() throws SQLException {
    Sql.exec(url, "START SLAVE");
  }

  void stop() throws SQLException {
    Sql.exec(url, "STOP SLAVE");
  }
}
