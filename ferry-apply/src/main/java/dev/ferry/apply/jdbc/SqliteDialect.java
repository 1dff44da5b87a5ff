package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.sql.SqlErrorClassifier;
import dev.ferry.sql.SqliteErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite targets. SQLite has no schemas: {@code public.t} (or {@code main.t}, or a table without
 * schema) maps to {@code "t"}, any other {@code s.t} to the single identifier {@code "s.t"}. Values
 * are converted by {@link SqliteValues} (the PostgreSQL → SQLite type mapping). DDL is tried as
 * given and stops the replica with the target's error if SQLite cannot take it. A read-only
 * replica is guarded by {@link SqliteReadOnly}.
 */
final class SqliteDialect extends Dialect {
  private static final Logger log = LoggerFactory.getLogger(SqliteDialect.class);
  /** Ferry's own tables on a SQLite target (never guarded, dropped by teardown). */
  static final List<String> FERRY_TABLES = SqliteControlTables.INSTANCE.all();

  @Override
  String name() {
    return "SQLite";
  }

  @Override
  Optional<DatabaseIdentity> identity(Connection c) throws SQLException {
    return DatabaseIdentity.sqlite(c);
  }

  @Override
  String tableName(TableId table) {
    String schema = table.schema();
    boolean plain = schema.isEmpty() || schema.equals("public") || schema.equals("main");
    return quote(plain ? table.name() : schema + "." + table.name());
  }

  @Override
  Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
    List<TableInfo.TargetColumn> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    List<Integer> keyOrder = new ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA table_info(" + tableName(table) + ")")) {
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
    return Optional.of(new TableInfo(table, tableName(table), columns, key, false, uniqueKeys(c, table)));
  }

  /** Unique indexes other than the primary key's, without a predicate or an expression. */
  private List<TableInfo.UniqueKey> uniqueKeys(Connection c, TableId table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA index_list(" + tableName(table) + ")")) {
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
           ResultSet rs = st.executeQuery("PRAGMA index_info(" + quote(name) + ")")) {
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
  Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
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
  void bindNull(PreparedStatement ps, int index) throws SQLException {
    ps.setNull(index, Types.NULL);
  }

  @Override
  void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    SqliteValues.bindText(ps, index, text, column);
  }

  @Override
  String rowLocator() {
    return "rowid";
  }

  @Override
  String sameValue(String quotedColumn, TableInfo.TargetColumn column) {
    return quotedColumn + " IS ?";
  }

  @Override
  void tearDown(Connection c) throws SQLException {
    SqliteReadOnly.lift(c);
    controlTables().drop(c);
  }

  @Override
  void liftReadOnly(Connection c, String replica) throws SQLException {
    if (SqliteReadOnly.lift(c)) {
      log.info("[replica {}] mode read-write: the read-only guard triggers are removed", replica);
    }
  }

  @Override
  void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException {
    // Ferry's connection, which a read-only replica's guards let write (busy timeout ~10 s).
    SqliteReadOnly.markFerrySession(c);
    controlTables().prepare(c);
    if (readOnlyReplica) {
      SqliteReadOnly.enforce(c);
    }
  }

  @Override
  boolean setBasedStatements() {
    return false;
  }

  @Override
  boolean refusedDdlStopsWithAdvice() {
    return true;
  }

  @Override
  String lockRows(boolean shared) {
    return ""; // a write transaction holds the whole file
  }

  @Override
  SqlErrorClassifier errors() {
    return SqliteErrors.INSTANCE;
  }

  @Override
  ControlTables controlTables() {
    return SqliteControlTables.INSTANCE;
  }

  @Override
  void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    if (time == null) {
      ps.setNull(index, Types.NULL);
    } else {
      ps.setString(index, time.toString());
    }
  }

  @Override
  Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return Optional.ofNullable(rs.getString(index)).map(Instant::parse);
  }

  @Override
  void applyDdl(Connection c, Change.Ddl ddl) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(ddl.command());
    }
    if (SqliteReadOnly.enforced(c)) {
      SqliteReadOnly.guardNewTables(c);
    }
  }

  @Override
  void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (TableId table : tables) {
        st.execute("DELETE FROM " + tableName(table));
      }
    }
    if (restartIdentity && hasTable(c, "sqlite_sequence")) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sqlite_sequence WHERE name = ?")) {
        for (TableId table : tables) {
          String quoted = tableName(table);
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
  void advanceSequence(Connection c, TableId sequence, long value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        INSERT INTO ferry_sequences (name, value) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)""")) {
      ps.setString(1, sequence.toString());
      ps.setLong(2, value);
      ps.executeUpdate();
    }
  }
}
