package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.MariaDbColumnType;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.apply.dialect.TargetCatalog;
import dev.ferry.apply.dialect.TypeFamily;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.SourceSequence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MariaDB's catalog ({@code information_schema}: columns with their {@code COLUMN_TYPE}, the
 * {@code PRIMARY} index, other unique indexes without prefix parts, foreign keys from
 * {@code KEY_COLUMN_USAGE}), a truncate that stays in the
 * caller's transaction ({@code DELETE}: MariaDB's {@code TRUNCATE} commits on its own and so does
 * resetting {@code AUTO_INCREMENT}, which is therefore left as it is), sequence values kept in
 * {@code ferry_sequences} (and set with {@code SETVAL} on a sequence of the same name), and the column types for a source's (docs/apply.md). Stateless.
 */
final class MariaDbCatalog implements TargetCatalog {
  static final MariaDbCatalog INSTANCE = new MariaDbCatalog();
  /** MariaDB 10.x: {@code Duplicate entry '1' for key 'PRIMARY'}. */
  private static final int ER_DUP_ENTRY = 1062;

  private MariaDbCatalog() {
  }

  @Override
  public Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
    String schema = schemaOf(c, table);
    List<TableInfo.TargetColumn> columns = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new TableInfo.TargetColumn(rs.getString(1), rs.getString(2)));
        }
      }
    }
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    Map<String, List<String>> unique = new LinkedHashMap<>();
    List<String> prefixed = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM"
        + " information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
        + " ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
      ps.setString(1, schema);
      ps.setString(2, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          unique.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
          if (rs.getObject(3) != null) {
            prefixed.add(rs.getString(1));
          }
        }
      }
    }
    List<String> key = unique.getOrDefault("PRIMARY", List.of());
    List<TableInfo.UniqueKey> keys = new ArrayList<>();
    unique.forEach((name, cols) -> {
      if (!name.equals("PRIMARY") && !prefixed.contains(name)) {
        keys.add(new TableInfo.UniqueKey(name, cols));
      }
    });
    return Optional.of(new TableInfo(table, MariaDbSyntax.INSTANCE.tableName(table), columns, key, false, keys,
        new TableId(schema, table.name()), foreignKeys(c, schema, table.name())));
  }

  /** The table's foreign keys, the parent named by its database and name, columns in the key's order. */
  private static List<TableInfo.ForeignKey> foreignKeys(Connection c, String schema, String name) throws SQLException {
    Map<String, List<String[]>> parts = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
        + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL"
        + " ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new String[] {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
        }
      }
    }
    List<TableInfo.ForeignKey> keys = new ArrayList<>();
    parts.forEach((constraint, cols) -> keys.add(new TableInfo.ForeignKey(constraint,
        cols.stream().map(p -> p[0]).toList(), new TableId(cols.get(0)[1], cols.get(0)[2]),
        cols.stream().map(p -> p[3]).toList())));
    return keys;
  }

  /** The MariaDB database {@code table} is in: the connection's own for a source's default schema. */
  private static String schemaOf(Connection c, TableId table) throws SQLException {
    return MariaDbSyntax.isDefaultSchema(table.schema()) ? String.valueOf(c.getCatalog()) : table.schema();
  }

  /** MariaDB's message names the index: {@code Duplicate entry 'x' for key 'name'}. */
  @Override
  public Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException e && e.getErrorCode() == ER_DUP_ENTRY) {
        String message = String.valueOf(e.getMessage());
        int at = message.lastIndexOf("for key '");
        if (at < 0) {
          return Optional.empty();
        }
        String name = message.substring(at + "for key '".length());
        name = name.endsWith("'") ? name.substring(0, name.length() - 1) : name;
        if (name.equals("PRIMARY")) {
          return Optional.of(new TableInfo.UniqueKey("PRIMARY KEY", table.primaryKey()));
        }
        String index = name;
        return Optional.of(table.uniqueKey(index).orElse(new TableInfo.UniqueKey(index, List.of())));
      }
    }
    return Optional.empty();
  }

  @Override
  public void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (TableId table : tables) {
        st.execute("DELETE FROM " + MariaDbSyntax.INSTANCE.tableName(table));
      }
    }
  }

  /**
   * Kept in {@code ferry_sequences}, forward only; and for a MariaDB source's sequence (named without
   * a schema, {@code "".s}) where the target has a SEQUENCE of that name (made by the source's
   * {@code CREATE SEQUENCE}), {@code SETVAL} moves it there too
   * (MariaDB's {@code SETVAL} never moves a sequence back; it commits on its own, which a later
   * rollback leaves: harmless, the value is one the source reached).
   */
  @Override
  public boolean advanceSequence(Connection c, TableId sequence, long value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + MariaDbControlTables.INSTANCE.sequences()
        + " (name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))")) {
      ps.setString(1, sequence.toString());
      ps.setLong(2, value);
      ps.executeUpdate();
    }
    if (!sequence.schema().isEmpty()) {
      return true; // a PostgreSQL source's sequence (schema-qualified): ferry_sequences only, no catalog lookup per advance
    }
    boolean isSequence;
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'SEQUENCE'")) {
      ps.setString(1, schemaOf(c, sequence));
      ps.setString(2, sequence.name());
      try (ResultSet rs = ps.executeQuery()) {
        isSequence = rs.next();
      }
    }
    if (isSequence) {
      try (PreparedStatement ps = c.prepareStatement("SELECT SETVAL(" + MariaDbSyntax.INSTANCE.tableName(sequence)
          + ", ?)")) {
        ps.setLong(1, value);
        ps.executeQuery().close();
      }
    }
    return true;
  }

  /**
   * {@code CREATE SEQUENCE} with the source's options (no {@code AS} type: before 11.5 every
   * sequence is {@code bigint}), unless a table or sequence of that name exists (a table of that
   * name is left alone: {@link #advanceSequence} then keeps the value in {@code ferry_sequences}).
   */
  @Override
  public Optional<String> createStandaloneSequence(Connection c, SourceSequence s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, schemaOf(c, s.sequence()));
      ps.setString(2, s.sequence().name());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return Optional.empty();
        }
      }
    }
    createSchema(c, s.sequence().schema());
    String ddl = "CREATE SEQUENCE IF NOT EXISTS " + MariaDbSyntax.INSTANCE.tableName(s.sequence()) + " START WITH "
        + s.start() + " MINVALUE " + s.min() + " MAXVALUE " + s.max() + " INCREMENT BY " + s.increment() + " CACHE "
        + s.cache() + (s.cycle() ? " CYCLE" : " NOCYCLE");
    try (Statement st = c.createStatement()) {
      st.execute(ddl);
    }
    return Optional.of(ddl);
  }

  @Override
  public List<String> raiseAutoIncrement(Connection c, String promotion, long gap) throws SQLException {
    return MariaDbAutoIncrement.raise(c, promotion, gap);
  }

  @Override
  public boolean hasSequences() {
    return false;
  }

  /** A source's non-default schema is a MariaDB database (created here: MariaDB commits it on its own). */
  @Override
  public void createSchema(Connection c, String schema) throws SQLException {
    if (!MariaDbSyntax.isDefaultSchema(schema)) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE IF NOT EXISTS " + MariaDbSyntax.INSTANCE.quote(schema));
      }
    }
  }

  @Override
  public String columnType(TypeFamily family, String type) {
    return switch (family) {
      case SQLITE -> MariaDbTypes.forSeed(true, type);
      case POSTGRES -> MariaDbTypes.forSeed(false, type);
      case MARIADB -> fromMariaDb(type);
    };
  }

  @Override
  public boolean keepsTypesOf(TypeFamily family) {
    return false;
  }

  /**
   * A MariaDB source's column type as the source spells it, but a {@code TIMESTAMP} as a
   * {@code DATETIME} of its precision (Ferry writes its UTC text; a {@code TIMESTAMP} column would
   * take MariaDB's automatic defaults and updates) and a text type in {@code utf8mb4} (whatever the
   * source's character set: the journal holds the characters).
   */
  static String fromMariaDb(String columnType) {
    MariaDbColumnType t = MariaDbColumnType.of(columnType);
    if (t.base().equals("timestamp")) {
      return "DATETIME" + t.modifier();
    }
    if (t.isText()) {
      return t.base().toUpperCase(Locale.ROOT) + t.modifier() + " CHARACTER SET utf8mb4";
    }
    return columnType;
  }
}
