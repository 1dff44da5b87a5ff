package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.sql.SqlErrorClassifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What differs between target databases: quoting, naming, catalog, value binding, row locators
 * for tables without a key, DDL, truncate, sequences and the progress tables. Everything else
 * (statement shapes, batching, conflicts, grouping) is common. A MariaDB dialect adds a subclass
 * and a case in {@link #of}. Stateless and thread-safe.
 */
abstract class Dialect {
  static Dialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("postgres")) {
      return new PostgresDialect();
    }
    if (product.contains("sqlite")) {
      return new SqliteDialect();
    }
    throw new SQLException("unsupported target database '" + product + "' (PostgreSQL and SQLite are supported)");
  }

  abstract String name();

  /** What database {@code c} is connected to ({@link DatabaseIdentity}); empty for one in memory. */
  abstract Optional<DatabaseIdentity> identity(Connection c) throws SQLException;

  /**
   * Quotes an identifier from the source: whatever it holds (quotes, spaces, mixed case,
   * unicode) comes out as one identifier, never as SQL.
   */
  String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains a NUL character: '"
          + identifier.replace('\0', '?') + "'");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The target table's name as quoted SQL. */
  abstract String tableName(TableId table);

  /** The target's own description of {@code table}, if it exists. */
  abstract Optional<TableInfo> describe(Connection c, TableId table) throws SQLException;

  /** Binds {@code value} of source {@code column} to parameter {@code index}. */
  final void bind(PreparedStatement ps, int index, Value value, Column column) throws SQLException {
    switch (value) {
      case Value.Null n -> bindNull(ps, index);
      case Value.Text t -> bindText(ps, index, t.value(), column);
      case Value.Int64 i -> ps.setLong(index, i.value());
      case Value.Float64 f -> ps.setDouble(index, f.value());
      case Value.Bytes b -> ps.setBytes(index, b.value());
      case Value.Unchanged u -> throw new IllegalStateException("an unchanged TOAST value of " + column.name()
          + " cannot be bound");
    }
  }

  /** Binds SQL NULL the way the target's driver wants it. */
  abstract void bindNull(PreparedStatement ps, int index) throws SQLException;

  /** Binds a value in the source's text form, converted as the target needs. */
  abstract void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException;

  /** A pseudo-column naming one physical row ({@code ctid}, {@code rowid}) for tables without a key. */
  abstract String rowLocator();

  /**
   * The clause that makes an UPDATE or DELETE touch exactly one of the rows matching
   * {@code condition}, for tables without a key. A MariaDB dialect would return
   * {@code WHERE condition LIMIT 1}.
   */
  String oneRowWhere(String table, String condition) {
    return " WHERE " + rowLocator() + " = (SELECT " + rowLocator() + " FROM " + table + " WHERE " + condition
        + " LIMIT 1)";
  }

  /**
   * An INSERT that affects 0 rows instead of failing when the row's key exists (MariaDB: INSERT
   * IGNORE, which would also need its warnings checked). The primary key is named as the arbiter
   * when there is one: a clash on another unique constraint stays an error (named as a conflict by
   * the writer), and PostgreSQL refuses deferrable constraints as arbiters. A dialect may need the
   * key values bound again after the row's ({@link #insertBindsKeyAgain}).
   */
  String insertUnlessExists(TableInfo table, String columns, String parameters) {
    return insertUnlessExists(table.sqlName(), columns, parameters, keyList(table.primaryKey()));
  }

  /** Whether {@link #insertUnlessExists(TableInfo, String, String)} takes the key values again after the row. */
  boolean insertBindsKeyAgain(TableInfo table) {
    return table.deferrableKey();
  }

  /** The same for a table of Ferry's own, whose {@code key} (quoted, comma-separated) is never deferrable. */
  String insertUnlessExists(String table, String columns, String parameters, String key) {
    return "INSERT INTO " + table + " (" + columns + ")" + overridingSystemValue() + " VALUES (" + parameters
        + ") ON CONFLICT"
        + (key.isEmpty() ? "" : " (" + key + ")") + " DO NOTHING";
  }

  /**
   * What follows an INSERT's column list so that the source's values are written into identity
   * columns the target would fill itself ({@code GENERATED ALWAYS}); empty where there are none.
   */
  String overridingSystemValue() {
    return "";
  }

  private String keyList(List<String> key) {
    StringBuilder out = new StringBuilder();
    for (String k : key) {
      out.append(out.isEmpty() ? "" : ", ").append(quote(k));
    }
    return out.toString();
  }

  /**
   * Defers the deferrable constraints of the open target transaction to its commit, as the
   * source's transaction had them: a key shift ({@code id = id + 1}) applied row by row passes
   * through states where a key is held twice. A no-op where no constraint is deferrable.
   */
  void deferConstraints(java.sql.Connection c) throws SQLException {
  }

  /** An upsert keyed by {@code key}, setting every other column from the inserted values. */
  String upsert(String table, List<String> columns, String key) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (")
        .append(String.join(", ", columns)).append(")").append(overridingSystemValue()).append(" VALUES (")
        .append(String.join(", ", java.util.Collections.nCopies(columns.size(), "?")))
        .append(") ON CONFLICT (").append(key).append(") DO UPDATE SET ");
    boolean first = true;
    for (String c : columns) {
      if (!c.equals(key)) {
        sql.append(first ? "" : ", ").append(c).append(" = excluded.").append(c);
        first = false;
      }
    }
    return sql.toString();
  }

  /**
   * A condition true when the target column equals the bound parameter, NULL equal to NULL, and
   * usable for every type (PostgreSQL's json has no {@code =}).
   */
  abstract String sameValue(String quotedColumn, TableInfo.TargetColumn column);

  /** Prepares a new session: session settings, and the progress tables if missing (autocommit). */
  /**
   * Undoes what an earlier read-only mode put on the target, for a replica now configured
   * read-write, in the caller's transaction. Nothing to undo by default.
   */
  void liftReadOnly(Connection c, String replica) throws SQLException {
  }

  /** Drops Ferry's own tables (and, where the dialect made any, its read-only guards); see {@link TargetTeardown}. */
  abstract void tearDown(Connection c) throws SQLException;

  abstract void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException;

  /** Ferry's own tables on this target: their names, DDL and reads. */
  abstract ControlTables controlTables();

  /** What this target's errors mean (the classifier capture shares for the same database). */
  abstract SqlErrorClassifier errors();

  /**
   * Guards the tables a copy created on a read-only replica as replicated DDL's are, in the
   * caller's transaction; nothing where the target has no guards.
   */
  void guardNewTables(Connection c) throws SQLException {
  }

  /**
   * Whether a run of row changes may go as one set-based statement (arrays unnested into one
   * INSERT/UPDATE/DELETE, a large transaction's staged runs).
   */
  abstract boolean setBasedStatements();

  /**
   * Whether DDL the target refuses stops the replica with advice (run it by hand, then skip-ddl),
   * as on a target that cannot take the source's dialect; otherwise the error is the target's own.
   */
  abstract boolean refusedDdlStopsWithAdvice();

  /**
   * The clause that locks the rows a read returns until the transaction ends ({@code shared}: other
   * readers may lock them too); empty where a writer locks the whole database.
   */
  abstract String lockRows(boolean shared);

  /**
   * Locks {@code table} against every transaction that read it with {@link #lockRows(boolean)},
   * until the caller's transaction ends; nothing where a writer locks the whole database.
   */
  void lockTable(Connection c, String table) throws SQLException {
  }

  /** The SQL expression for "now" as stored in the conflicts table. */
  abstract void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException;

  abstract Optional<Instant> readTime(java.sql.ResultSet rs, int index) throws SQLException;

  /** Runs a DDL command at its place, with its search path where the target has one. */
  abstract void applyDdl(Connection c, Change.Ddl ddl) throws SQLException;

  abstract void truncate(Connection c, List<TableId> tables, boolean cascade, boolean restartIdentity)
      throws SQLException;

  /** Moves the replica's sequence to {@code value} unless it is already there or beyond. */
  abstract void advanceSequence(Connection c, TableId sequence, long value) throws SQLException;

  /**
   * The unique key {@code error} says a row clashed on, if it is a unique violation: one of
   * {@code table}'s {@linkplain TableInfo#uniqueKeys() unique keys}, or its primary key (a key not
   * among them, with the primary key's columns).
   */
  Optional<TableInfo.UniqueKey> uniqueViolation(SQLException error, TableInfo table) {
    return Optional.empty();
  }

  /** Bulk-loads rows into a table, or returns false if this target has no bulk path. */
  boolean copyIn(Connection c, TableInfo table, List<Column> columns, List<List<Value>> rows) throws SQLException {
    return false;
  }
}
