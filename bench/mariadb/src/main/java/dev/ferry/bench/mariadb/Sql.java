package dev.ferry.bench.mariadb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Small JDBC helpers of the benchmark. Stateless. */
final class Sql {
  private Sql() {
  }

  static void exec(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  static String text(String url, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  /**
   * Waits until the mark {@code id} is on the server at {@code url}, polling every 5 ms; the
   * nanoTime it was first seen.
   *
   * @throws IllegalStateException if it is not there within {@code timeout}
   */
  static long awaitMark(String url, long id, Duration timeout) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      while (true) {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM mark WHERE id = " + id)) {
          if (rs.next()) {
            return System.nanoTime();
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("mark " + id + " did not reach " + url + " within " + timeout);
        }
        Thread.sleep(5);
      }
    }
  }
}
