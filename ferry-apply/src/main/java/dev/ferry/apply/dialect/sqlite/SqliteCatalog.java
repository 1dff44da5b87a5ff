package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.MariaDbColumnType;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.apply.dialect.TargetCatalog;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SQLite's catalog ({@code PRAGMA table_info}, {@code index_list}), no schemas and no sequences
 * (their values are kept in {@code ferry_sequences}), and the column types a seed declares: a SQLite
 * source's declared types as they are, a PostgreSQL source's mapped as docs/apply.md says. Stateless.
 */
final class SqliteCatalog implements TargetCatalog {
  static final SqliteCatalog INSTANCE = new SqliteCatalog();

  private SqliteCatalog() {
  }

  private static String name(TableId table) {
    return SqliteSyntax.INSTANCE.tableName(table);
  }

  @Override
  public Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
    List<TableInfo.TargetColumn> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    List<Integer> keyOrder = new ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA table_info(" + name(table) + ")")) {
      while (rs.next()) {
        String name = rs.getString("name");
        columns.add(new TableInfo.TargetColumn(name, rs.getString("type")));
        int pk = rs.getInt("pk");
        if (pk > 0) {
          int at = 0;
          while (at < keyOrder.size() && keyOrder.get(at) < pk) {
            at++;
          }
          keyOrder.add(at, pk);
          key.add(at, name);
        }
      }
    }
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new TableInfo(table, name(table), columns, key, false, uniqueKeys(c, table)));
  }

  /** Unique indexes other than the primary key's, without a predicate or an expression. */
  private List<TableInfo.UniqueKey> uniqueKeys(Connection c, TableId table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA index_list(" + name(table) + ")")) {
      while (rs.next()) {
        if (rs.getInt("unique") == 1 && !"pk".equals(rs.getString("origin")) && rs.getInt("partial") == 0) {
          names.add(rs.getString("name"));
        }
      }
    }
    List<TableInfo.UniqueKey> keys = new ArrayList<>();
    for (String name : names) {
      List<String> columns = new ArrayList<>();
      try (Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("PRAGMA index_info(" + SqliteSyntax.INSTANCE.quote(name) + ")")) {
        while (rs.next()) {
          columns.add(rs.getString("name"));
        }
      }
      if (!columns.contains(null)) {
        keys.add(new TableInfo.UniqueKey(name, columns));
      }
    }
    return keys;
  }

  /** xerial's message ends in SQLite's own: {@code UNIQUE constraint failed: t.a, t.b}. */
  @Override
  public Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
    String message = String.valueOf(error.getMessage());
    String marker = "UNIQUE constraint failed: ";
    int at = message.lastIndexOf(marker);
    if (!error.getClass().getName().startsWith("org.sqlite.") || at < 0) {
      return Optional.empty();
    }
    String list = message.substring(at + marker.length());
    list = list.endsWith(")") ? list.substring(0, list.length() - 1) : list;
    List<String> columns = new ArrayList<>();
    for (String qualified : list.split(", ")) {
      columns.add(qualified.substring(qualified.lastIndexOf('.') + 1).strip());
    }
    if (columns.size() == table.primaryKey().size() && columns.containsAll(table.primaryKey())) {
      return Optional.of(new TableInfo.UniqueKey("PRIMARY KEY", table.primaryKey()));
    }
    return Optional.of(table.uniqueKeyOn(columns)
        .orElse(new TableInfo.UniqueKey("UNIQUE (" + String.join(", ", columns) + ")", columns)));
  }

  @Override
  public void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (TableId table : tables) {
        st.execute("DELETE FROM " + name(table));
      }
    }
    if (restartIdentity && hasTable(c, "sqlite_sequence")) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sqlite_sequence WHERE name = ?")) {
        for (TableId table : tables) {
          String quoted = name(table);
          ps.setString(1, quoted.substring(1, quoted.length() - 1).replace("\"\"", "\""));
          ps.executeUpdate();
        }
      }
    }
  }

  private static boolean hasTable(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** SQLite has no sequences: their values are kept in {@code ferry_sequences}, forward only. */
  @Override
  public boolean advanceSequence(Connection c, TableId sequence, long value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        INSERT INTO ferry_sequences (name, value) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)""")) {
      ps.setString(1, sequence.toString());
      ps.setLong(2, value);
      ps.executeUpdate();
    }
    return true;
  }

  @Override
  public List<String> raiseAutoIncrement(Connection c, String promotion, long gap) throws SQLException {
    return SqliteAutoIncrement.raise(c, promotion, gap);
  }

  @Override
  public boolean hasSequences() {
    return false;
  }

  /** SQLite has one schema: a source's schema is part of the table's name ({@link SqliteSyntax#tableName}). */
  @Override
  public void createSchema(Connection c, String schema) {
  }

  @Override
  public String columnType(TypeFamily family, String type) {
    return switch (family) {
      case SQLITE -> type;
      case POSTGRES -> fromPostgres(type);
      case MARIADB -> fromMariaDb(type);
    };
  }

  /**
   * The SQLite column for a MariaDB {@code COLUMN_TYPE}, as docs/mariadb-capture.md's Types table
   * says: integers {@code INTEGER} but {@code BIGINT UNSIGNED} {@code TEXT} (past SQLite's
   * integers), {@code DECIMAL} {@code TEXT} (every digit), floats {@code REAL}, bytes {@code BLOB},
   * the rest {@code TEXT}.
   */
  static String fromMariaDb(String columnType) {
    MariaDbColumnType t = MariaDbColumnType.of(columnType);
    return switch (t.base()) {
      case "tinyint", "smallint", "mediumint", "int", "integer", "year" -> "INTEGER";
      case "bigint" -> t.unsigned() ? "TEXT" : "INTEGER";
      case "float", "double" -> "REAL";
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "BLOB";
      case "decimal", "numeric", "date", "datetime", "timestamp", "time", "bit", "char", "varchar", "tinytext", "text",
          "mediumtext", "longtext", "enum", "set" -> "TEXT";
      default -> throw t.unknown("SQLite");
    };
  }

  @Override
  public boolean keepsTypesOf(TypeFamily family) {
    return family == TypeFamily.SQLITE;
  }

  /** The SQLite column type for a PostgreSQL {@code format_type} (docs/apply.md, type mapping). */
  static String fromPostgres(String pgType) {
    String t = pgType.toLowerCase(Locale.ROOT);
    if (t.endsWith("]")) {
      return "TEXT";
    }
    int paren = t.indexOf('(');
    String base = paren < 0 ? t : t.substring(0, paren).strip();
    return switch (base) {
      case "smallint", "integer", "bigint", "oid", "boolean" -> "INTEGER";
      case "real", "double precision" -> "REAL";
      case "numeric" -> "NUMERIC TEXT";
      case "bytea" -> "BLOB";
      default -> "TEXT";
    };
  }
}
