package dev.ferry.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Short SQL over a JDBC URL, each call on its own connection: what the end-to-end tests do to a database. */
final class Sql {
  private Sql() {}

  /** Runs the statements in order on one connection (autocommit: each is its own transaction). */
  static void execute(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /**
   * Statements that slow every INSERT and UPDATE into {@code table} of a PostgreSQL database by
   * {@code seconds} a row, also for Ferry's sessions in replica role (COPY included), run in a
   * session that lifts a read-only replica's default for itself.
   */
  static String[] slowWrites(String table, String seconds) {
    return new String[] {"SET default_transaction_read_only = off", "SET session_replication_role = replica",
        "CREATE OR REPLACE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN PERFORM pg_sleep(" + seconds + "); RETURN NEW; END $$",
        "CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION slow()",
        "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER slow"};
  }

  /**
   * A connection whose transaction has run the statements and stays open (holding their locks) until the
   * caller rolls it back or closes the connection.
   */
  static Connection openTransaction(String url, String... statements) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String s : statements) {
        st.execute(s);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The first column of the first row, or null when the query returns no row. */
  static String scalar(String url, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Every row, its columns joined by {@code |} (a null column reads {@code null}). */
  static List<String> rows(String url, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }
}
