package dev.ferry.apply.dialect.postgres;

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
import dev.ferry.sql.PostgresErrors;
import dev.ferry.sql.SqlErrorClassifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL targets: {@link PostgresSyntax}, {@link PostgresValues}, {@link PostgresCatalog},
 * COPY as the bulk path ({@link PostgresCopy}), {@link PostgresErrors}, {@link
 * PostgresControlTables} in schema {@code _ferry}, and a read-only replica guarded by {@link
 * PostgresReadOnly}. Sessions apply as {@code session_replication_role = replica} where the role may.
 */
public final class PostgresDialect implements Dialect {
  /** The one instance. */
  public static final PostgresDialect INSTANCE = new PostgresDialect();
  private static final Logger log = LoggerFactory.getLogger(PostgresDialect.class);
  /** Replicas already told that session_replication_role cannot be set (once per process each). */
  private static final Set<String> TOLD_REPLICATION_ROLE = ConcurrentHashMap.newKeySet();

  private PostgresDialect() {
  }

  @Override
  public String name() {
    return "PostgreSQL";
  }

  @Override
  public SqlSyntax syntax() {
    return PostgresSyntax.INSTANCE;
  }

  @Override
  public ValueBinding values() {
    return PostgresValues.INSTANCE;
  }

  @Override
  public TargetCatalog catalog() {
    return PostgresCatalog.INSTANCE;
  }

  @Override
  public Optional<BulkLoader> bulkLoader() {
    return Optional.of(PostgresCopy.INSTANCE);
  }

  @Override
  public Optional<IndexDeferral> indexDeferral() {
    return Optional.of(PostgresIndexDeferral.INSTANCE);
  }

  @Override
  public Optional<SetStatements> setStatements() {
    return Optional.of(PostgresSetStatements.INSTANCE);
  }

  /** pgjdbc's cancel request, sent on a connection of its own. */
  @Override
  public void cancelQuietly(Connection c) {
    try {
      if (c.isWrapperFor(PGConnection.class)) {
        c.unwrap(PGConnection.class).cancelQuery();
      }
    } catch (SQLException e) {
      log.debug("cancel of a statement failed: {}", e.getMessage());
    }
  }

  @Override
  public SqlErrorClassifier errors() {
    return PostgresErrors.INSTANCE;
  }

  @Override
  public ControlTables controlTables() {
    return PostgresControlTables.INSTANCE;
  }

  @Override
  public Optional<DatabaseIdentity> identity(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT system_identifier FROM pg_control_system()),"
            + " (SELECT oid FROM pg_database WHERE datname = current_database()), current_database()")) {
      rs.next();
      String key = "postgresql:" + rs.getString(1) + "/" + rs.getString(2);
      return Optional.of(new DatabaseIdentity(key, "PostgreSQL system " + rs.getString(1) + ", database oid "
          + rs.getString(2) + " (" + rs.getString(3) + ")"));
    }
  }

  /** pgjdbc's {@code connectTimeout}, {@code loginTimeout} and {@code socketTimeout}, in whole seconds (at least 1). */
  @Override
  public Properties boundedWaits(java.time.Duration connect, java.time.Duration read) {
    Properties p = new Properties();
    p.setProperty("connectTimeout", Long.toString(Math.max(1, connect.toSeconds())));
    p.setProperty("loginTimeout", Long.toString(Math.max(1, connect.toSeconds())));
    p.setProperty("socketTimeout", Long.toString(Math.max(1, read.toSeconds())));
    return p;
  }

  @Override
  public Connection openReadOnly(String url, Properties properties) throws SQLException {
    Connection c = DriverManager.getConnection(url, properties);
    try {
      c.setReadOnly(true);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Lifts the read-only database default for this session only: Ferry's own tables in {@code _ferry}
   * have no guard triggers, and the guards on the replicated tables still tell Ferry's sessions by
   * their role or {@code session_replication_role} (see {@link PostgresReadOnly}), which this leaves
   * as it is. Other sessions keep the default.
   */
  @Override
  public void markFerrySession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
    }
  }

  @Override
  public void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException {
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
        log.warn("{} role '{}' may not SET session_replication_role = replica ({}), so the replica's own "
            + "triggers and foreign-key checks fire for every change Ferry applies: a trigger that writes "
            + "elsewhere writes again on the replica, and a foreign key may refuse rows applied in source order. "
            + "To avoid it, run as a superuser: GRANT SET ON PARAMETER session_replication_role TO {}; "
            + "(PostgreSQL 15 and later) or connect as a superuser", Side.replica(replica), role, e.getMessage(), PostgresSyntax.INSTANCE.quote(role));
      }
    }
  }

  @Override
  public void markApplySession(Connection c, String source, String replica) throws SQLException {
    PostgresOrigin.mark(c, source, replica);
  }

  @Override
  public void liftReadOnly(Connection c, String replica) throws SQLException {
    if (PostgresReadOnly.functionExists(c)) {
      PostgresReadOnly.lift(c);
      log.info("{} mode read-write: the read-only guards are removed and default_transaction_read_only "
          + "is back as it was before Ferry", Side.replica(replica));
    }
  }

  @Override
  public void tearDown(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
      PostgresReadOnly.lift(c);
    }
    controlTables().drop(c);
  }

  @Override
  public String readOnlyMeasures() {
    return "read-only guards and default";
  }

  @Override
  public boolean refusedDdlStopsWithAdvice() {
    return false;
  }

  @Override
  public boolean concurrentWriters() {
    return true;
  }

  /** Asks {@code pg_blocking_pids} of every session whether this backend is among them. */
  @Override
  public boolean blocksAnotherSession(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_stat_activity"
            + " WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid)))")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  @Override
  public String lockRows(boolean shared) {
    return shared ? " FOR SHARE" : " FOR UPDATE";
  }

  /** A locking clause is not allowed beside {@code UNION}: each read locks in its own {@code WITH} query. */
  @Override
  public String bothReads(LockedRead first, LockedRead second) {
    return "WITH a AS (SELECT * FROM " + first.from() + first.lock() + "), b AS (SELECT * FROM " + second.from()
        + second.lock() + ") SELECT " + first.columns() + " FROM a UNION ALL SELECT " + second.columns() + " FROM b";
  }

  /** Writers lock rows: a transaction may read before it writes. */
  @Override
  public void beginWrite(Connection c) {
  }

  /**
   * EXCLUSIVE conflicts with the ROW SHARE lock of the table that every {@code FOR SHARE} read
   * takes, whether it returned rows or none.
   */
  @Override
  public void lockTable(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
    }
  }

  /** A {@code FOR SHARE} read also locks the table ({@link #lockTable}). */
  @Override
  public boolean locksOnlyRowsFound() {
    return false;
  }

  @Override
  public void deferConstraints(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET CONSTRAINTS ALL DEFERRED");
    }
  }

  @Override
  public void applyDdl(Connection c, Change.Ddl ddl, SourcePosition.Kind source) throws SQLException {
    try (Statement st = c.createStatement();
         PreparedStatement path = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
      String saved;
      try (ResultSet rs = st.executeQuery("SELECT current_setting('search_path')")) {
        rs.next();
        saved = rs.getString(1);
      }
      // DDL from a SQLite source names no schema and runs in the target's default one.
      boolean keepPath = ddl.searchPath().equals(PostgresSyntax.SQLITE_DEFAULT_SCHEMA);
      path.setString(1, keepPath ? saved : ddl.searchPath());
      path.execute();
      st.execute(ddl.command());
      path.setString(1, saved);
      path.execute();
      guardNewTables(c);
    }
  }

  @Override
  public void guardNewTables(Connection c) throws SQLException {
    if (PostgresReadOnly.functionExists(c)) {
      PostgresReadOnly.guardNewTables(c);
    }
  }
}
