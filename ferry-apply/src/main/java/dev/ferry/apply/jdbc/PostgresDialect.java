package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.sql.PostgresErrors;
import dev.ferry.sql.SqlErrorClassifier;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL targets. Text values are bound untyped ({@code Types.OTHER}: pgjdbc sends them with
 * the unspecified type), so the server reads them with the target column's own input function —
 * exact for numeric, timestamptz, interval, arrays, json, bytea hex, uuid and enums, and no type
 * name from the source is ever spliced into SQL.
 */
final class PostgresDialect extends Dialect {
  private static final Logger log = LoggerFactory.getLogger(PostgresDialect.class);
  /** Replicas already told that session_replication_role cannot be set (once per process each). */
  private static final Set<String> TOLD_REPLICATION_ROLE = ConcurrentHashMap.newKeySet();

  @Override
  String name() {
    return "PostgreSQL";
  }

  /** The source's values go into identity columns too, also {@code GENERATED ALWAYS} ones. */
  @Override
  String overridingSystemValue() {
    return " OVERRIDING SYSTEM VALUE";
  }

  @Override
  Optional<DatabaseIdentity> identity(Connection c) throws SQLException {
    return Optional.of(DatabaseIdentity.postgres(c));
  }

  /**
   * SQLite's one schema, {@code main}, is a source's default schema: its tables land in the
   * target's default schema (the session's {@code search_path}, normally {@code public}), just as
   * the SQLite dialect puts PostgreSQL's {@code public} tables into {@code main}.
   */
  static final String SQLITE_DEFAULT_SCHEMA = "main";

  @Override
  String tableName(TableId table) {
    boolean plain = table.schema().isEmpty() || table.schema().equals(SQLITE_DEFAULT_SCHEMA);
    return plain ? quote(table.name()) : quote(table.schema()) + "." + quote(table.name());
  }

  @Override
  Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
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
      ps.setString(1, tableName(table));
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
      ps.setString(1, tableName(table));
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
    return Optional.of(new TableInfo(table, tableName(table), columns, key, deferrableKey, unique));
  }

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

  /**
   * A deferrable primary key cannot be an {@code ON CONFLICT} arbiter (PostgreSQL refuses the
   * statement): the row is inserted unless its key is found, with the key values bound again.
   */
  @Override
  String insertUnlessExists(TableInfo table, String columns, String parameters) {
    if (!table.deferrableKey()) {
      return super.insertUnlessExists(table, columns, parameters);
    }
    StringBuilder where = new StringBuilder();
    for (String k : table.primaryKey()) {
      where.append(where.isEmpty() ? "" : " AND ").append(quote(k)).append(" = ?");
    }
    return "INSERT INTO " + table.sqlName() + " (" + columns + ")" + overridingSystemValue() + " SELECT " + parameters
        + " WHERE NOT EXISTS (SELECT 1"
        + " FROM " + table.sqlName() + " WHERE " + where + ")";
  }

  @Override
  Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
    if (!"23505".equals(error.getSQLState()) || !(error instanceof PSQLException p)
        || p.getServerErrorMessage() == null || p.getServerErrorMessage().getConstraint() == null) {
      return Optional.empty();
    }
    String name = p.getServerErrorMessage().getConstraint();
    return Optional.of(table.uniqueKey(name).orElse(new TableInfo.UniqueKey(name, table.primaryKey())));
  }

  @Override
  void deferConstraints(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET CONSTRAINTS ALL DEFERRED");
    }
  }

  @Override
  void bindNull(PreparedStatement ps, int index) throws SQLException {
    ps.setNull(index, Types.OTHER);
  }

  @Override
  void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    ps.setObject(index, text, Types.OTHER);
  }

  @Override
  String rowLocator() {
    return "ctid";
  }

  @Override
  String sameValue(String quotedColumn, TableInfo.TargetColumn column) {
    // Compare text forms of values of the column's own type: every type has one (json has no '=').
    return quotedColumn + "::text IS NOT DISTINCT FROM CAST(? AS " + column.sqlType() + ")::text";
  }

  @Override
  void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
      setReplicationRole(st, replica);
    }
    controlTables().prepare(c);
    if (readOnlyReplica) {
      PostgresReadOnly.enforce(c, replica);
    }
  }

  /**
   * Like PostgreSQL's own apply workers: no user triggers, no foreign-key checks. Only a superuser
   * or a role granted SET on the parameter may; otherwise Ferry applies with both firing, and says
   * so once per replica and process, not once per connection.
   */
  private void setReplicationRole(Statement st, String replica) throws SQLException {
    try {
      st.execute("SET session_replication_role = replica");
    } catch (SQLException e) {
      if (TOLD_REPLICATION_ROLE.add(replica)) {
        String role = "<role>";
        try (ResultSet rs = st.executeQuery("SELECT current_user")) {
          role = rs.next() ? rs.getString(1) : role;
        }
        log.warn("[replica {}] role '{}' may not SET session_replication_role = replica ({}), so the replica's own "
            + "triggers and foreign-key checks fire for every change Ferry applies: a trigger that writes "
            + "elsewhere writes again on the replica, and a foreign key may refuse rows applied in source order. "
            + "To avoid it, run as a superuser: GRANT SET ON PARAMETER session_replication_role TO {}; "
            + "(PostgreSQL 15 and later) or connect as a superuser", replica, role, e.getMessage(), quote(role));
      }
    }
  }

  @Override
  void liftReadOnly(Connection c, String replica) throws SQLException {
    if (PostgresReadOnly.functionExists(c)) {
      PostgresReadOnly.lift(c);
      log.info("[replica {}] mode read-write: the read-only guards are removed and default_transaction_read_only "
          + "is back as it was before Ferry", replica);
    }
  }

  @Override
  void tearDown(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
      PostgresReadOnly.lift(c);
    }
    controlTables().drop(c);
  }

  @Override
  boolean setBasedStatements() {
    return true;
  }

  @Override
  boolean refusedDdlStopsWithAdvice() {
    return false;
  }

  @Override
  String lockRows(boolean shared) {
    return shared ? " FOR SHARE" : " FOR UPDATE";
  }

  @Override
  void lockTable(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
    }
  }

  @Override
  SqlErrorClassifier errors() {
    return PostgresErrors.INSTANCE;
  }

  @Override
  ControlTables controlTables() {
    return PostgresControlTables.INSTANCE;
  }

  @Override
  void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    if (time == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
    }
  }

  @Override
  Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
  }

  @Override
  void applyDdl(Connection c, Change.Ddl ddl) throws SQLException {
    try (Statement st = c.createStatement();
         PreparedStatement path = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
      String saved;
      try (ResultSet rs = st.executeQuery("SELECT current_setting('search_path')")) {
        rs.next();
        saved = rs.getString(1);
      }
      // DDL from a SQLite source names no schema and runs in the target's default one.
      boolean keepPath = ddl.searchPath().equals(SQLITE_DEFAULT_SCHEMA);
      path.setString(1, keepPath ? saved : ddl.searchPath());
      path.execute();
      st.execute(ddl.command());
      path.setString(1, saved);
      path.execute();
      guardNewTables(c);
    }
  }

  @Override
  void guardNewTables(Connection c) throws SQLException {
    if (PostgresReadOnly.functionExists(c)) {
      PostgresReadOnly.guardNewTables(c);
    }
  }

  @Override
  void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity) throws SQLException {
    StringBuilder sql = new StringBuilder("TRUNCATE ");
    for (int i = 0; i < tables.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(tableName(tables.get(i)));
    }
    sql.append(restartIdentity ? " RESTART IDENTITY" : "").append(cascade ? " CASCADE" : "");
    try (Statement st = c.createStatement()) {
      st.execute(sql.toString());
    }
  }

  @Override
  void advanceSequence(Connection c, TableId sequence, long value) throws SQLException {
    long current;
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + tableName(sequence))) {
      rs.next();
      // Before its first nextval() a sequence hands out last_value itself.
      current = rs.getBoolean(2) ? rs.getLong(1) : rs.getLong(1) - 1;
    }
    if (value > current) {
      try (PreparedStatement ps = c.prepareStatement("SELECT setval(CAST(? AS regclass), ?)")) {
        ps.setString(1, tableName(sequence));
        ps.setLong(2, value);
        ps.executeQuery().close();
      }
    }
  }

  @Override
  boolean copyIn(Connection c, TableInfo table, List<Column> columns, List<List<Value>> rows) throws SQLException {
    StringBuilder sql = new StringBuilder("COPY ").append(table.sqlName()).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(quote(columns.get(i).name()));
    }
    sql.append(") FROM STDIN");
    StringBuilder data = new StringBuilder();
    for (List<Value> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          data.append('\t');
        }
        appendCopyValue(data, row.get(i));
      }
      data.append('\n');
    }
    try {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString(), new StringReader(data.toString()));
    } catch (IOException e) {
      // pgjdbc reports a broken connection as an SQLException with its own SQLSTATE; an IOException
      // comes from the reader. No invented SQLSTATE: PostgresErrors reads an I/O cause as a lost connection.
      throw new SQLException("COPY into " + table.sqlName() + " failed: " + e.getMessage(), e);
    }
    return true;
  }

  /** One value in COPY text format: its {@linkplain #inputText input text}, escaped; {@code \\N} for NULL. */
  static void appendCopyValue(StringBuilder out, Value value) {
    String text = inputText(value);
    if (text == null) {
      out.append("\\N");
    } else {
      escapeCopy(out, text);
    }
  }

  /**
   * The text a target column's input function reads back as {@code value} (null for NULL): what
   * COPY and the set-based statements over {@code text[]} send. Unchanged TOAST values have none.
   */
  static String inputText(Value value) {
    return switch (value) {
      case Value.Null n -> null;
      case Value.Text t -> t.value();
      case Value.Int64 i -> Long.toString(i.value());
      case Value.Float64 f -> Double.isNaN(f.value()) ? "NaN" : Double.toString(f.value());
      case Value.Bytes b -> "\\x" + HexFormat.of().formatHex(b.value());
      case Value.Unchanged u -> throw new IllegalStateException("an unchanged TOAST value has no input text");
    };
  }

  private static boolean needsEscape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
        return true;
      }
    }
    return false;
  }

  private static void escapeCopy(StringBuilder out, String s) {
    if (!needsEscape(s)) {
      out.append(s); // the common case, in one copy
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(ch);
      }
    }
  }

}
