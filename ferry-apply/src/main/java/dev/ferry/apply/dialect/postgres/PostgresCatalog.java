package dev.ferry.apply.dialect.postgres;

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
import org.postgresql.util.PSQLException;

/**
 * PostgreSQL's catalog ({@code pg_attribute}, {@code pg_index}, foreign keys from
 * {@code pg_constraint}), its sequences and schemas, and the
 * column types a seed declares: a PostgreSQL source's exact {@code format_type} text, a SQLite
 * source's declared types by SQLite's affinity rules. Stateless.
 */
final class PostgresCatalog implements TargetCatalog {
  static final PostgresCatalog INSTANCE = new PostgresCatalog();

  private PostgresCatalog() {
  }

  @Override
  public Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
    String sql = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod),
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary
                       AND a.attnum = ANY (i.indkey)),
               a.attidentity = 'a'
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum""";
    List<TableInfo.TargetColumn> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new TableInfo.TargetColumn(rs.getString(1), rs.getString(2), rs.getBoolean(4)));
          if (rs.getBoolean(3)) {
            key.add(rs.getString(1));
          }
        }
      }
    }
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    boolean deferrableKey = false;
    List<TableInfo.UniqueKey> unique = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(UNIQUE_KEYS)) {
      ps.setString(1, name(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(2)) {
            deferrableKey = rs.getBoolean(3);
          } else if (rs.getBoolean(4)) {
            unique.add(new TableInfo.UniqueKey(rs.getString(1), List.of((String[]) rs.getArray(5).getArray())));
          }
        }
      }
    }
    TableId target = table;
    List<TableInfo.ForeignKey> foreign = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS)) {
      ps.setString(1, name(table));
      ps.setString(2, name(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(1) == null) {
            target = new TableId(rs.getString(2), rs.getString(3));
          } else {
            foreign.add(new TableInfo.ForeignKey(rs.getString(1), List.of((String[]) rs.getArray(4).getArray()),
                new TableId(rs.getString(2), rs.getString(3)), List.of((String[]) rs.getArray(5).getArray())));
          }
        }
      }
    }
    return Optional.of(new TableInfo(table, name(table), columns, key, deferrableKey, unique, target, foreign));
  }

  /**
   * The table's own schema and name (a row with no constraint name), then its foreign keys: name,
   * the parent's schema and name, the child's and the parent's columns pairwise in the key's order.
   */
  private static final String FOREIGN_KEYS = """
      SELECT NULL::text, n.nspname::text, t.relname::text, NULL::text[], NULL::text[]
        FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE t.oid = to_regclass(?)
      UNION ALL
      SELECT con.conname::text, pn.nspname::text, p.relname::text,
             ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord),
             ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
        FROM pg_constraint con
        JOIN pg_class p ON p.oid = con.confrelid
        JOIN pg_namespace pn ON pn.oid = p.relnamespace
       WHERE con.conrelid = to_regclass(?) AND con.contype = 'f'
       ORDER BY 1 NULLS FIRST""";

  /** Unique indexes: name (the constraint's, if one owns it), primary?, deferrable?, plain columns only?, columns. */
  private static final String UNIQUE_KEYS = """
      SELECT coalesce(con.conname, ic.relname), i.indisprimary, NOT i.indimmediate,
             i.indpred IS NULL AND i.indexprs IS NULL,
             ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
       WHERE i.indrelid = to_regclass(?) AND i.indisunique
       ORDER BY 1""";

  @Override
  public Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
    if (!"23505".equals(error.getSQLState()) || !(error instanceof PSQLException p)
        || p.getServerErrorMessage() == null || p.getServerErrorMessage().getConstraint() == null) {
      return Optional.empty();
    }
    String name = p.getServerErrorMessage().getConstraint();
    return Optional.of(table.uniqueKey(name).orElse(new TableInfo.UniqueKey(name, table.primaryKey())));
  }

  @Override
  public void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException {
    StringBuilder sql = new StringBuilder("TRUNCATE ");
    for (int i = 0; i < tables.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(name(tables.get(i)));
    }
    sql.append(restartIdentity ? " RESTART IDENTITY" : "").append(cascade ? " CASCADE" : "");
    try (Statement st = c.createStatement()) {
      st.execute(sql.toString());
    }
  }

  /**
   * Moves the sequence forward to {@code value}; false when the target has no such sequence. One
   * round trip in the common case (this runs with every transaction that touched a table owning a
   * sequence): {@code pg_sequence_last_value} answers both whether the sequence exists and where it
   * is; only a sequence not yet called (no last value) is read again for the value it hands out next.
   */
  @Override
  public boolean advanceSequence(Connection c, TableId sequence, long value) throws SQLException {
    long current;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT r IS NOT NULL, pg_sequence_last_value(r) FROM (SELECT to_regclass(?) AS r) x")) {
      ps.setString(1, name(sequence));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return false;
        }
        long last = rs.getLong(2);
        current = rs.wasNull() ? notYetCalled(c, sequence) : last;
      }
    }
    if (value > current) {
      try (PreparedStatement ps = c.prepareStatement("SELECT setval(CAST(? AS regclass), ?)")) {
        ps.setString(1, name(sequence));
        ps.setLong(2, value);
        ps.executeQuery().close();
      }
    }
    return true;
  }

  /** The highest value a sequence whose next {@code nextval()} hands out its {@code last_value} itself counts as used. */
  private static long notYetCalled(Connection c, TableId sequence) throws SQLException {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + name(sequence))) {
      rs.next();
      return rs.getBoolean(2) ? rs.getLong(1) : rs.getLong(1) - 1;
    }
  }

  private static String name(TableId table) {
    return PostgresSyntax.INSTANCE.tableName(table);
  }

  @Override
  public boolean hasSequences() {
    return true;
  }

  @Override
  public void createSchema(Connection c, String schema) throws SQLException {
    if (!schema.isEmpty() && !schema.equals("public")) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresSyntax.INSTANCE.quote(schema));
      }
    }
  }

  @Override
  public String columnType(TypeFamily family, String type) {
    return switch (family) {
      case POSTGRES -> type;
      case SQLITE -> fromSqlite(type);
      case MARIADB -> fromMariaDb(type);
    };
  }

  /**
   * The PostgreSQL column for a MariaDB {@code COLUMN_TYPE}, as docs/mariadb-capture.md's Types
   * table says: each value held exactly (an unsigned integer one size up, {@code TIME} as
   * {@code interval}, which takes negatives and hours past 24).
   */
  static String fromMariaDb(String columnType) {
    MariaDbColumnType t = MariaDbColumnType.of(columnType);
    boolean u = t.unsigned();
    return switch (t.base()) {
      case "tinyint", "year" -> "smallint";
      case "smallint" -> u ? "integer" : "smallint";
      case "mediumint" -> "integer";
      case "int", "integer" -> u ? "bigint" : "integer";
      case "bigint" -> u ? "numeric(20)" : "bigint";
      case "decimal", "numeric" -> "numeric" + t.modifier();
      case "float" -> "real";
      case "double" -> "double precision";
      case "date" -> "date";
      case "datetime" -> "timestamp(6)";
      case "timestamp" -> "timestamptz(6)";
      case "time" -> "interval";
      case "bit" -> "bit" + (t.modifier().isEmpty() ? "(1)" : t.modifier());
      case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> "text";
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "bytea";
      default -> throw t.unknown("PostgreSQL");
    };
  }

  @Override
  public boolean keepsTypesOf(TypeFamily family) {
    return family == TypeFamily.POSTGRES;
  }

  /**
   * The PostgreSQL column type for a SQLite declared type, by SQLite's affinity rules in their
   * order: INT → {@code bigint}; CHAR, CLOB, TEXT → {@code text}; BLOB → {@code bytea}; REAL,
   * FLOA, DOUB → {@code double precision}; NUMERIC and DECIMAL → {@code numeric}. Anything else
   * (no type, DATE, DATETIME, BOOLEAN, …) → {@code text}: SQLite keeps whatever the application
   * wrote in such a column, and every value converts to text.
   */
  static String fromSqlite(String declared) {
    String t = declared.toUpperCase(Locale.ROOT);
    if (t.contains("INT")) {
      return "bigint";
    }
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
      return "text";
    }
    if (t.contains("BLOB")) {
      return "bytea";
    }
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
      return "double precision";
    }
    if (t.contains("NUMERIC") || t.contains("DECIMAL")) {
      return "numeric";
    }
    return "text";
  }
}
