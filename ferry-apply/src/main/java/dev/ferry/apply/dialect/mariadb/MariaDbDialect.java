package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.IndexDeferral;
import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.SqlSyntax;
import dev.ferry.apply.dialect.TargetCatalog;
import dev.ferry.apply.dialect.ValueBinding;
import dev.ferry.apply.dialect.UnmappableDdlException;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Side;
import dev.ferry.sql.MariaDbErrors;
import dev.ferry.sql.SqlErrorClassifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;

/**
 * MariaDB targets (InnoDB): {@link MariaDbSyntax} (backticks, {@code ON DUPLICATE KEY UPDATE}),
 * values converted by {@link MariaDbValues}, {@link MariaDbCatalog}, no bulk path,
 * {@link MariaDbErrors}, {@link MariaDbControlTables} in the replica URL's database. Ferry's
 * sessions run with a strict {@code sql_mode} (a value the column cannot hold is an error, never a
 * warning), {@code time_zone='+00:00'} and READ COMMITTED ({@link #markFerrySession}), and binlog
 * only if the server logs a replica's writes ({@link MariaDbReplicaBinlog}). The progress row is
 * written in the same InnoDB transaction as the changes it records.
 *
 * <p>DDL is mapped by {@link MariaDbDdl} and run with the source transaction alone (MariaDB
 * commits a DDL statement on its own). Read-only mode is the server's global {@code read_only}
 * ({@link MariaDbReadOnly}). Stateless.
 */
public final class MariaDbDialect implements Dialect {
  /** The one instance. */
  public static final MariaDbDialect INSTANCE = new MariaDbDialect();
  /**
   * Ends every DDL statement Ferry applies: MariaDB commits DDL in a binlog group of its own, without
   * the progress row that marks what Ferry applied, so the statement's text carries the mark instead
   * (the binlog keeps comments) and Ferry's binlog capture leaves it out (docs/failover.md#loops).
   */
  public static final String APPLIED_DDL_MARK = "\n/* ferry: applied */";
  /**
   * Strict, so MariaDB refuses what it would otherwise store changed (a truncated string, a zero
   * date), and {@code NO_AUTO_VALUE_ON_ZERO}, so a source's 0 in an AUTO_INCREMENT column stays 0.
   */
  static final String SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
      + "NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO";

  private MariaDbDialect() {
  }

  @Override
  public String name() {
    return "MariaDB";
  }

  @Override
  public SqlSyntax syntax() {
    return MariaDbSyntax.INSTANCE;
  }

  @Override
  public ValueBinding values() {
    return MariaDbBinding.INSTANCE;
  }

  @Override
  public TargetCatalog catalog() {
    return MariaDbCatalog.INSTANCE;
  }

  @Override
  public Optional<BulkLoader> bulkLoader() {
    return Optional.empty();
  }

  @Override
  public SqlErrorClassifier errors() {
    return MariaDbErrors.INSTANCE;
  }

  @Override
  public ControlTables controlTables() {
    return MariaDbControlTables.INSTANCE;
  }

  /**
   * The server as it names itself (host name, port, data directory: the same through every URL
   * and forwarded port) and the connection's database.
   */
  @Override
  public Optional<DatabaseIdentity> identity(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@hostname, @@port, @@datadir, DATABASE()")) {
      rs.next();
      String key = "mariadb:" + rs.getString(1) + ":" + rs.getInt(2) + ":" + rs.getString(3) + "/" + rs.getString(4);
      return Optional.of(new DatabaseIdentity(key, "MariaDB server " + rs.getString(1) + ":" + rs.getInt(2)
          + " (datadir " + rs.getString(3) + ") database " + rs.getString(4)));
    }
  }

  /**
   * No bulk protocol for batches ({@code COM_STMT_BULK_EXECUTE}): MariaDB refuses it for the
   * {@code INSERT … SELECT} that inserts a row unless its key exists, and a batch's count per row
   * is what tells the applier a row was missing. Several statements in one request
   * ({@code allowMultiQueries}): a group's progress row and its {@code COMMIT} go in one round trip
   * ({@link #commitsWithAWrite}). Values are bound by the driver, escaped, never spliced in by Ferry.
   */
  @Override
  public Properties driverProperties() {
    Properties p = new Properties();
    p.setProperty("useBulkStmts", "false");
    p.setProperty("useBulkStmtsForInserts", "false");
    p.setProperty("allowMultiQueries", "true");
    return p;
  }

  /**
   * When the connection allows several statements in one request (Ferry's default, which a URL
   * may turn off): MariaDB Connector/J sends its own {@code COMMIT} only while the server reports
   * a transaction open, so after {@code …; COMMIT} it sends none.
   */
  @Override
  public boolean commitsWithAWrite(Connection c) throws SQLException {
    return c.isWrapperFor(org.mariadb.jdbc.Connection.class)
        && c.unwrap(org.mariadb.jdbc.Connection.class).getContext().getConf().allowMultiQueries();
  }

  /** MariaDB Connector/J's {@code connectTimeout} and {@code socketTimeout} (the login reads too), in ms. */
  @Override
  public Properties boundedWaits(java.time.Duration connect, java.time.Duration read) {
    Properties p = new Properties();
    p.setProperty("connectTimeout", Long.toString(connect.toMillis()));
    p.setProperty("socketTimeout", Long.toString(read.toMillis()));
    return p;
  }

  @Override
  public Connection openReadOnly(String url, Properties properties) throws SQLException {
    Connection c = DriverManager.getConnection(url, properties);
    try {
      c.setReadOnly(true);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Strict {@code sql_mode}, UTC, and READ COMMITTED: the {@code NOT EXISTS} read of
   * {@link MariaDbSyntax#insertUnlessExists} takes no shared gap lock at that level, where under
   * InnoDB's default REPEATABLE READ two workers inserting ascending keys deadlocked on the gap at
   * the end of the key. Every write of Ferry's (DML, the progress row's upsert) reads the latest
   * committed row and locks it at either level; Ferry's target sessions read nothing they rely on
   * a transaction-long snapshot for.
   */
  @Override
  public void markFerrySession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET SESSION sql_mode = '" + SQL_MODE + "', time_zone = '+00:00'");
    }
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    MariaDbReplicaBinlog.follow(c);
  }

  @Override
  public void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException {
    markFerrySession(c);
    refuseStatementBinlog(c, replica);
    if (readOnlyReplica) {
      MariaDbReadOnly.enable(c, replica);
    }
    controlTables().prepare(c);
  }

  /**
   * InnoDB refuses writes at READ COMMITTED into a binlog in {@code STATEMENT} format (error 1665):
   * said before the first transaction, naming the setting; a session that does not binlog
   * ({@link MariaDbReplicaBinlog}) is not concerned.
   */
  private static void refuseStatementBinlog(Connection c, String replica) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@log_bin, @@binlog_format, @@sql_log_bin")) {
      rs.next();
      if (rs.getInt(1) == 1 && rs.getInt(3) == 1 && "STATEMENT".equalsIgnoreCase(rs.getString(2))) {
        throw new SQLFeatureNotSupportedException(Side.replica(replica) + " the MariaDB target logs its binlog with"
            + " binlog_format=STATEMENT, which InnoDB refuses for Ferry's READ COMMITTED sessions;"
            + " set binlog_format=MIXED or ROW on the target");
      }
    }
  }

  /** Puts the global {@code read_only} back as Ferry found it, if Ferry set it ({@link MariaDbReadOnly}). */
  @Override
  public void liftReadOnly(Connection c, String replica) throws SQLException {
    MariaDbReadOnly.lift(c, replica);
  }

  @Override
  public void tearDown(Connection c) throws SQLException {
    MariaDbReadOnly.lift(c, "");
    controlTables().drop(c);
  }

  @Override
  public String readOnlyMeasures() {
    return "the server's global read_only";
  }

  /** Nothing to guard: {@code read_only} covers every table of the server. */
  @Override
  public void guardNewTables(Connection c) {
  }

  /**
   * Runs {@code ddl} as {@link MariaDbDdl} maps it from its source. MariaDB commits the open
   * transaction before and after the statement: the applier runs a transaction carrying DDL alone
   * ({@link #ddlCommitsOnItsOwn}), and the mapped statement is safe to run again after a crash
   * between its commit and the replica's progress. It ends with {@link #APPLIED_DDL_MARK}.
   */
  @Override
  public void applyDdl(Connection c, Change.Ddl ddl, SourcePosition.Kind source) throws SQLException {
    String statement;
    try {
      statement = MariaDbDdl.map(ddl, source);
    } catch (UnmappableDdlException e) {
      throw new SQLFeatureNotSupportedException(e.getMessage(), e);
    }
    try (Statement st = c.createStatement()) {
      st.execute(statement + APPLIED_DDL_MARK);
    }
  }

  /**
   * A MariaDB source's DDL (which its capture marks not replayable on other targets) and any
   * replayable DDL of a PostgreSQL or SQLite source are mapped, or refused here; a PostgreSQL DDL
   * that ran inside another statement is left to the general rule (it stops the replica).
   */
  @Override
  public boolean checkDdl(Change.Ddl ddl, SourcePosition.Kind source) throws UnmappableDdlException {
    if (source != SourcePosition.Kind.BINLOG && !ddl.replayable()) {
      return false;
    }
    MariaDbDdl.map(ddl, source);
    return true;
  }

  @Override
  public boolean ddlCommitsOnItsOwn() {
    return true;
  }

  /** MariaDB has no deferrable constraints. */
  @Override
  public void deferConstraints(Connection c) {
  }

  /** Inserts go as multi-row statements; updates and deletes one by one (prepared and batched). */
  @Override
  public Optional<SetStatements> setStatements() {
    return Optional.of(MariaDbSetStatements.INSTANCE);
  }

  /** Indexes are kept during a copy. */
  @Override
  public Optional<IndexDeferral> indexDeferral() {
    return Optional.empty();
  }

  /** A copy goes in row batches and ends at its next batch. */
  @Override
  public void cancelQuietly(Connection c) {
  }

  /** InnoDB writers lock rows: nothing to take before a transaction's first write. */
  @Override
  public void beginWrite(Connection c) {
  }

  @Override
  public boolean refusedDdlStopsWithAdvice() {
    return true;
  }

  @Override
  public boolean concurrentWriters() {
    return true;
  }

  /**
   * Asks InnoDB's lock waits whether a transaction waits for one of this connection's. They are a
   * copy InnoDB refreshes only when nobody on the server read it for 100 ms: sessions reading it
   * more often (a monitoring tool; Ferry's workers waiting for their turns, each asking every
   * 200 ms) freeze it, and a wait that began since is not in it. So the copy's count of waiting
   * transactions is compared with InnoDB's live count ({@code Innodb_row_lock_current_waits}): more
   * waits now than in the copy, and the copy cannot tell, and the answer is yes (a rollback in vain
   * costs time, a missed wait holds the order until {@code innodb_lock_wait_timeout}). Without the
   * PROCESS privilege the waits cannot be read (an error that leaves the transaction open), and the
   * answer is yes.
   */
  @Override
  public boolean blocksAnotherSession(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(BLOCKS_ANOTHER_SESSION)) {
      rs.next();
      return rs.getBoolean(1) || rs.getLong(3) > rs.getLong(2);
    } catch (SQLException e) {
      if (errors().classify(e) != dev.ferry.sql.SqlErrorKind.FATAL) {
        throw e;
      }
      return true;
    }
  }

  /**
   * Whether the copy has a wait for this connection, the copy's waiting transactions (one
   * statement reads one copy: it is not refreshed within 100 ms of a read), InnoDB's live count.
   */
  private static final String BLOCKS_ANOTHER_SESSION = "SELECT EXISTS (SELECT 1 FROM information_schema.INNODB_LOCK_WAITS w"
      + " JOIN information_schema.INNODB_TRX t ON t.trx_id = w.blocking_trx_id WHERE t.trx_mysql_thread_id = CONNECTION_ID()),"
      + " (SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'),"
      + " (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_ROW_LOCK_CURRENT_WAITS')";

  @Override
  public String lockRows(boolean shared) {
    return shared ? " LOCK IN SHARE MODE" : " FOR UPDATE";
  }

  /**
   * Locks every row {@code FOR UPDATE} ({@code LOCK TABLES} would commit the transaction). Ferry's
   * sessions run at READ COMMITTED ({@link #markFerrySession}), where InnoDB takes no gap locks: a
   * {@code LOCK IN SHARE MODE} read locks only the rows it returns, and this waits only for the
   * readers of rows that exist ({@link #locksOnlyRowsFound}; {@code TableCopyGate} keeps a gate row
   * per source that every group's read of the marks returns, so the copier waits for them all).
   */
  @Override
  public void lockTable(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 FROM " + table + " FOR UPDATE")) {
      while (rs.next()) {
        // every row read is locked
      }
    }
  }

  /** READ COMMITTED: no gap locks ({@link #lockTable}). */
  @Override
  public boolean locksOnlyRowsFound() {
    return true;
  }
}
