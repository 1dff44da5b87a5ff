package dev.ferry.capture.postgres;

import dev.ferry.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Small SQL helpers for the capture tests. */
final class PgTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private PgTest() {
  }

  /** A fresh database on {@code cluster} and a source config for it with the given name. */
  static PostgresSourceConfig freshSource(PostgresCluster cluster, String name) throws SQLException {
    String db = "db_" + name + "_" + DATABASES.incrementAndGet();
    return PostgresSourceConfig.of(name, cluster.createDatabase(db));
  }

  static void exec(PostgresSourceConfig config, String... sqls) throws SQLException {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement st = c.createStatement()) {
      for (String sql : sqls) {
        st.execute(sql);
      }
    }
  }

  /** Runs the statements in one transaction. */
  static void tx(PostgresSourceConfig config, String... sqls) throws SQLException {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String sql : sqls) {
        st.execute(sql);
      }
      c.commit();
    }
  }

  static List<String> column(PostgresSourceConfig config, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  static String scalar(PostgresSourceConfig config, String sql) throws SQLException {
    List<String> rows = column(config, sql);
    return rows.isEmpty() ? null : rows.getFirst();
  }
}
