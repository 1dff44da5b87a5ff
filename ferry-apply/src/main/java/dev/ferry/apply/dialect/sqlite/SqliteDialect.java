package dev.ferry.apply.dialect.sqlite;

import dev.ferry.journal.model.Side;
import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.IndexDeferral;
import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.SqlSyntax;
import dev.ferry.apply.dialect.TargetCatalog;
import dev.ferry.apply.dialect.ValueBinding;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.sql.SqlErrorClassifier;
import dev.ferry.sql.SqliteErrors;
import dev.ferry.sql.SqliteUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteConnectionConfig;

/**
 * SQLite targets: {@link SqliteSyntax} (no schemas), values converted by {@link SqliteValues} (the
 * PostgreSQL → SQLite type mapping), {@link SqliteCatalog}, no bulk path, {@link SqliteErrors},
 * {@link SqliteControlTables}. DDL is tried as given and stops the replica with advice if SQLite
 * cannot take it. A read-only replica is guarded by {@link SqliteReadOnly}. One writer at a time:
 * a write transaction holds the whole file.
 */
public final class SqliteDialect implements Dialect {
  /** The trigger capture's change table, where {@link #markApplied} writes. */
  private static final String APPLIED_MARKS_TABLE = "_ferry_changes";
  /** The one instance. */
  public static final SqliteDialect INSTANCE = new SqliteDialect();
  private static final Logger log = LoggerFactory.getLogger(SqliteDialect.class);

  private SqliteDialect() {
  }

  @Override
  public String name() {
    return "SQLite";
  }

  @Override
  public SqlSyntax syntax() {
    return SqliteSyntax.INSTANCE;
  }

  @Override
  public ValueBinding values() {
    return SqliteBinding.INSTANCE;
  }

  @Override
  public TargetCatalog catalog() {
    return SqliteCatalog.INSTANCE;
  }

  @Override
  public Optional<BulkLoader> bulkLoader() {
    return Optional.empty();
  }

  /** Indexes are kept during a seed's copy. */
  @Override
  public Optional<IndexDeferral> indexDeferral() {
    return Optional.empty();
  }

  /** Rows go one by one (prepared and batched). */
  @Override
  public Optional<SetStatements> setStatements() {
    return Optional.empty();
  }

  /** A copy stream ends at its next row. */
  @Override
  public void cancelQuietly(Connection c) {
  }

  @Override
  public SqlErrorClassifier errors() {
    return SqliteErrors.INSTANCE;
  }

  @Override
  public ControlTables controlTables() {
    return SqliteControlTables.INSTANCE;
  }

  /** The SQLite database file {@code c} has open as {@code main}. */
  @Override
  public Optional<DatabaseIdentity> identity(Connection c) throws SQLException {
    String file = "";
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
      while (rs.next()) {
        if (rs.getString("name").equals("main")) {
          file = Optional.ofNullable(rs.getString("file")).orElse("");
        }
      }
    }
    return file.isEmpty() ? Optional.empty() : DatabaseIdentity.ofFile(Path.of(file));
  }

  /** A file's identity by its attributes, nothing opened (opening would create a missing file). */
  @Override
  public Optional<DatabaseIdentity> identityAt(String url, java.util.Properties properties) throws SQLException {
    Optional<Path> file = SqliteUrl.file(url, Path.of(""));
    return file.isPresent() ? DatabaseIdentity.ofFile(file.get()) : Optional.empty();
  }

  /** sqlite-jdbc refuses setReadOnly on an open connection: the file is opened read-only instead. */
  @Override
  public Connection openReadOnly(String url, Properties properties) throws SQLException {
    Properties readOnly = (Properties) properties.clone();
    readOnly.setProperty("open_mode", "1");
    return DriverManager.getConnection(url, readOnly);
  }

  @Override
  public void markFerrySession(Connection c) throws SQLException {
    SqliteReadOnly.markFerrySession(c);
  }

  @Override
  public void tearDown(Connection c) throws SQLException {
    SqliteReadOnly.lift(c);
    controlTables().drop(c);
  }

  @Override
  public void liftReadOnly(Connection c, String replica) throws SQLException {
    if (SqliteReadOnly.lift(c)) {
      log.info("{} mode read-write: the read-only guard triggers are removed", Side.replica(replica));
    }
  }

  @Override
  public void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException {
    // Ferry's connection, which a read-only replica's guards let write (busy timeout ~10 s).
    SqliteReadOnly.markFerrySession(c);
    controlTables().prepare(c);
    if (readOnlyReplica) {
      SqliteReadOnly.enforce(c);
    }
  }

  @Override
  public String readOnlyMeasures() {
    return "read-only guards";
  }

  @Override
  public void guardNewTables(Connection c) {
  }

  @Override
  public boolean refusedDdlStopsWithAdvice() {
    return true;
  }

  @Override
  public boolean concurrentWriters() {
    return false;
  }

  /** One writer at a time: nobody can wait for a lock of a worker that waits for its turn. */
  @Override
  public boolean blocksAnotherSession(Connection c) {
    return false;
  }

  @Override
  public String lockRows(boolean shared) {
    return ""; // a write transaction holds the whole file
  }

  /** SQLite takes no parentheses around the parts of a {@code UNION}. */
  @Override
  public String bothReads(LockedRead first, LockedRead second) {
    return first.sql() + " UNION ALL " + second.sql();
  }

  /**
   * A row {@code B} (begin) or {@code E} (end) in {@code _ferry_changes}, the change table of Ferry's
   * trigger capture, when this database has one: SQLite has one writer, so the change rows between
   * the two are the ones this transaction's writes made the capture triggers record, and the
   * capture leaves them out (docs/failover.md#loops). Written with the schema version, as the
   * triggers write it. The table's name and columns are the capture's ({@code TriggerSql} in
   * ferry-capture, which this module cannot see; {@code TargetMarksNoReplicationLoopTest} shows they
   * agree).
   */
  @Override
  public void markApplied(Connection c, boolean begin) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '"
          + APPLIED_MARKS_TABLE + "'")) {
        if (!rs.next()) {
          return;
        }
      }
      st.executeUpdate("INSERT INTO " + APPLIED_MARKS_TABLE + "(tbl, op, sv) SELECT '', '" + (begin ? "B" : "E")
          + "', schema_version FROM pragma_schema_version()");
    }
  }

  /**
   * A {@code BEGIN IMMEDIATE} for this one transaction: the driver's transaction mode is IMMEDIATE
   * while the rollback ends its deferred transaction and begins the next, then back to what it was,
   * so later transactions begin deferred again and hold no lock between them. If the lock is not
   * had within the busy timeout, a deferred transaction is open again, as the driver expects.
   */
  @Override
  public void beginWrite(Connection c) throws SQLException {
    SQLiteConnectionConfig config = c.unwrap(SQLiteConnection.class).getConnectionConfig();
    SQLiteConfig.TransactionMode mode = config.getTransactionMode();
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    try {
      c.rollback();
    } catch (SQLException busy) {
      try (Statement st = c.createStatement()) {
        st.execute("BEGIN");
      } catch (SQLException again) {
        busy.addSuppressed(again);
      }
      throw busy;
    } finally {
      config.setTransactionMode(mode);
    }
  }

  /**
   * Nothing to lock: one writer at a time. A transaction that read {@code table} cannot write
   * after another transaction wrote and committed since its read: in WAL mode its first write fails
   * at once ({@code SQLITE_BUSY_SNAPSHOT}, its snapshot is stale), and with a rollback journal the
   * other cannot commit while it reads, nor can it write while the other holds the write lock
   * ({@code SQLITE_BUSY}). Either way it rolls back and reads again what the caller committed.
   */
  @Override
  public void lockTable(Connection c, String table) {
  }

  /** Reads lock nothing, and need not ({@link #lockTable}). */
  @Override
  public boolean locksOnlyRowsFound() {
    return false;
  }

  @Override
  public void deferConstraints(Connection c) {
  }

  @Override
  public void applyDdl(Connection c, Change.Ddl ddl, SourcePosition.Kind source) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(ddl.command());
    }
    if (SqliteReadOnly.enforced(c)) {
      SqliteReadOnly.guardNewTables(c);
    }
  }
}
