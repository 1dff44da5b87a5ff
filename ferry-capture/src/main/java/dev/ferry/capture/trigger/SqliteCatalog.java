package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Ferry's one reader of a SQLite source's catalog, for capture and for snapshots: user tables,
 * their stored columns, keys and kind. Stateless.
 */
final class SqliteCatalog {
  static final String FERRY_PREFIX = "_ferry_";
  /**
   * Ferry's apply's control tables on a SQLite replica ({@code SqliteControlTables} in ferry-apply,
   * which this module cannot see), and the read-only mode's marker ({@code SqliteReadOnly}, which
   * promotion drops): never captured, like {@code _ferry} on PostgreSQL.
   */
  static final String REPLICA_TABLES = "('ferry_replication_control', 'ferry_conflicts', 'ferry_sequences',"
      + " 'ferry_archive_loads', 'ferry_table_copies', 'ferry_read_only')";

  private SqliteCatalog() {}

  /** The user tables (not SQLite's, not Ferry's capture's or apply's), by name, with the SQL that created them. */
  static SortedMap<String, String> tableSql(Connection c) throws SQLException {
    SortedMap<String, String> tables = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name, sql FROM sqlite_schema WHERE type = 'table'"
            + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_ferry\\_%' ESCAPE '\\'"
            + " AND name NOT IN " + REPLICA_TABLES)) {
      while (rs.next()) {
        tables.put(rs.getString(1), rs.getString(2));
      }
    }
    return tables;
  }

  /** Why {@code table} cannot be captured by triggers, if it cannot. */
  static Optional<String> refusal(String name, String sql) {
    if (sql != null && sql.stripLeading().toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL TABLE")) {
      return Optional.of("it is a virtual table, and SQLite allows no triggers on virtual tables;"
          + " exclude it (tables.exclude) and capture the tables that hold its data instead");
    }
    return Optional.empty();
  }

  /** Describes one table; its stored columns, key and rowid-ness. */
  static SqliteTable describe(Connection c, String name, String sql) throws SQLException {
    List<Column> columns = new ArrayList<>();
    SortedMap<Integer, String> key = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int hidden = rs.getInt(4);
          if (hidden == 2 || hidden == 3) {
            continue; // generated columns are computed by the replica, not copied
          }
          String declared = rs.getString(2) == null ? "" : rs.getString(2);
          columns.add(new Column(rs.getString(1), declared, 0, LogicalType.ofSqliteDeclared(declared)));
          if (rs.getInt(3) > 0) {
            key.put(rs.getInt(3), rs.getString(1));
          }
        }
      }
    }
    return new SqliteTable(name, columns, List.copyOf(key.values()), !hasRowid(c, name), sql);
  }

  /**
   * A captured table as a snapshot copies it ({@code c}'s transaction sees it): its stored columns
   * with their declared types, which are NOT NULL, its primary key, and its exact row count as
   * {@code estimatedRows}.
   */
  static SourceTable describeForCopy(Connection c, String name) throws SQLException {
    SqliteTable t = describe(c, name, null);
    Set<String> notNull = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT name FROM pragma_table_xinfo(?) WHERE \"notnull\"")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          notNull.add(rs.getString(1));
        }
      }
    }
    long rows;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quote(name))) {
      rs.next();
      rows = rs.getLong(1);
    }
    List<SourceTable.SourceColumn> columns = t.columns().stream()
        .map(col -> new SourceTable.SourceColumn(col.name(), col.typeName(), notNull.contains(col.name()),
            col.logicalType())).toList();
    return new SourceTable(t.id(), columns, t.primaryKey(), rows, 1);
  }

  /** Whether {@code name} has a rowid, from SQLite's own table list ({@code wr}: WITHOUT ROWID). */
  private static boolean hasRowid(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT wr FROM pragma_table_list WHERE name = ? ORDER BY schema = 'temp' DESC, schema = 'main' DESC")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table " + name + " is not in the SQLite file's table list");
        }
        return rs.getInt(1) == 0;
      }
    }
  }

  /** {@code PRAGMA schema_version}: bumped by every schema change. */
  static long schemaVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA schema_version")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** An identifier quoted for SQLite: any name, including quotes, spaces and unicode. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** A string literal for SQLite. */
  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
