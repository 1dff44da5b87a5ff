package dev.ferry.capture.trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Ferry's records in a SQLite source: which tables have triggers and for which columns
 * ({@code _ferry_tables}), and the schema version and schema sequence those triggers belong to
 * ({@code _ferry_state}). Stateless; callers hold the transaction.
 */
final class Bookkeeping {
  static final String SCHEMA_VERSION = "schema_version";
  static final String SCHEMA_SEQUENCE = "schema_sequence";

  private Bookkeeping() {}

  static Map<String, List<String>> capturedTables(Connection c) throws SQLException {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tbl, columns FROM _ferry_tables")) {
      while (rs.next()) {
        tables.put(rs.getString(1), RowCodec.decodeStrings(rs.getString(2), "_ferry_tables." + rs.getString(1)));
      }
    }
    return tables;
  }

  static void recordTable(Connection c, SqliteTable table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO _ferry_tables(tbl, columns) VALUES (?, ?)")) {
      ps.setString(1, table.name());
      ps.setString(2, RowCodec.encodeStrings(table.columnNames()));
      ps.executeUpdate();
    }
  }

  static void forgetTable(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM _ferry_tables WHERE tbl = ?")) {
      ps.setString(1, table);
      ps.executeUpdate();
    }
  }

  static Optional<Long> state(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM _ferry_state WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  static void setState(Connection c, String key, long value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO _ferry_state(key, value) VALUES (?, ?)")) {
      ps.setString(1, key);
      ps.setLong(2, value);
      ps.executeUpdate();
    }
  }

  /** Whether Ferry's tables exist in this database. */
  static boolean installed(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
            + " ('_ferry_changes', '_ferry_tables', '_ferry_state')")) {
      rs.next();
      return rs.getInt(1) == 3;
    }
  }
}
