package dev.ferry.apply.dialect;

import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.apply.dialect.postgres.PostgresDialect;
import dev.ferry.apply.dialect.sqlite.SqliteDialect;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.sql.SqlErrorClassifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * A target database, as the parts that differ between databases — {@linkplain #syntax() SQL
 * syntax}, {@linkplain #values() value binding}, {@linkplain #catalog() catalog}, optional parts
 * (a {@linkplain #bulkLoader() bulk loader}, {@linkplain #indexDeferral() index deferral},
 * {@linkplain #setStatements() set-based statements}), {@linkplain #errors() error classifier},
 * {@linkplain #controlTables() control tables} — and its answers to what the applier asks (capabilities).
 * Everything else (statement shapes, batching, conflicts, grouping) is common. Each database is
 * one package implementing these parts, and a case in {@link #of} and {@link #forUrl}, the one
 * place that decides which database a target is. Implementations are stateless and thread-safe.
 */
public interface Dialect {
  /** The dialect of the database {@code c} is connected to, by the driver's product name. */
  static Dialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("postgres")) {
      return PostgresDialect.INSTANCE;
    }
    if (product.contains("sqlite")) {
      return SqliteDialect.INSTANCE;
    }
    if (product.contains("mariadb")) {
      return MariaDbDialect.INSTANCE;
    }
    throw new SQLException("unsupported target database '" + product + "' (PostgreSQL, SQLite and MariaDB are supported)");
  }

  /** Every target database Ferry writes to, for what is asked before a target's kind is known. */
  static List<Dialect> all() {
    return List.of(PostgresDialect.INSTANCE, SqliteDialect.INSTANCE, MariaDbDialect.INSTANCE);
  }

  /**
   * The dialect of the database a JDBC URL names, for what must be decided before connecting.
   *
   * @throws IllegalArgumentException for a URL of a database Ferry does not support
   */
  static Dialect forUrl(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return PostgresDialect.INSTANCE;
    }
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SqliteDialect.INSTANCE;
    }
    if (jdbcUrl.startsWith("jdbc:mariadb:")) {
      return MariaDbDialect.INSTANCE;
    }
    throw new IllegalArgumentException("unsupported target database URL (PostgreSQL, SQLite and MariaDB are supported)");
  }

  /** The database's name for messages ({@code PostgreSQL}). */
  String name();

  /** How identifiers, names and statements are spelled. */
  SqlSyntax syntax();

  /** How journal values are bound to statements and timestamps read back. */
  ValueBinding values();

  /** The target's description of its tables, and the schema changes Ferry makes. */
  TargetCatalog catalog();

  /** A bulk path for many rows (PostgreSQL's COPY); empty where rows go by statement. */
  Optional<BulkLoader> bulkLoader();

  /** Building a seed's indexes after its copy; empty where they are kept during it. */
  Optional<IndexDeferral> indexDeferral();

  /** A run of one row statement as one set-based statement; empty where rows go one by one. */
  Optional<SetStatements> setStatements();

  /**
   * Cancels what {@code c} is running, from another thread (a copy stream when the node stops);
   * nothing where the driver cannot, the stream then ends at its next row. Never throws.
   */
  void cancelQuietly(Connection c);

  /** What this target's errors mean (the classifier capture shares for the same database). */
  SqlErrorClassifier errors();

  /** Ferry's own tables on this target: their names, DDL and reads. */
  ControlTables controlTables();

  /** What database {@code c} is connected to ({@link DatabaseIdentity}); empty for one in memory. */
  Optional<DatabaseIdentity> identity(Connection c) throws SQLException;

  /**
   * The identity of the database at {@code url}, found without writing to it (by connecting and
   * reading the catalog, unless the dialect knows a way that opens nothing).
   */
  default Optional<DatabaseIdentity> identityAt(String url, java.util.Properties properties) throws SQLException {
    try (Connection c = java.sql.DriverManager.getConnection(url, properties)) {
      return identity(c);
    }
  }

  /**
   * Driver settings Ferry's connections to this target need, added to the user's URL and
   * properties where those do not set them; none by default.
   */
  default Properties driverProperties() {
    return new Properties();
  }

  /**
   * Driver settings bounding how long opening a connection (TCP connect and login) and then one
   * query may wait, for reads that must answer when the target is down or black-holed
   * ({@code ferry status}). None by default (a local file).
   */
  default Properties boundedWaits(java.time.Duration connect, java.time.Duration read) {
    return new Properties();
  }

  /**
   * Opens a connection that cannot write, for reading a replica's progress without a running
   * Ferry; {@code properties} carry the password, if any.
   */
  Connection openReadOnly(String url, Properties properties) throws SQLException;

  /**
   * Marks a new connection as one of Ferry's, which a read-only replica's guards let write (and
   * sets what Ferry's connections need); nothing where the guards tell Ferry's sessions otherwise.
   */
  void markFerrySession(Connection c) throws SQLException;

  /** Prepares a new session: session settings, and the progress tables if missing (autocommit). */
  void prepareSession(Connection c, boolean readOnlyReplica, String replica) throws SQLException;

  /**
   * Marks a session that applies the journal {@code source} so that what it commits is told apart
   * from local writes when this target is later captured (PostgreSQL: a replication origin); nothing
   * where the target's capture already leaves Ferry's writes out (autocommit).
   */
  default void markApplySession(Connection c, String source, String replica) throws SQLException {
  }

  /**
   * Marks where a target transaction of Ferry's apply begins ({@code begin}) or ends, in the
   * caller's transaction, so that a capture of this target tells what Ferry applied from local
   * writes (SQLite: a row in the trigger capture's change table, when the database has one);
   * nothing where sessions carry the mark ({@link #markApplySession}) or the progress row does.
   */
  default void markApplied(Connection c, boolean begin) throws SQLException {
  }

  /**
   * Undoes what an earlier read-only mode put on the target, for a replica now configured
   * read-write, in the caller's transaction.
   */
  void liftReadOnly(Connection c, String replica) throws SQLException;

  /** Drops Ferry's own tables and, where the dialect made any, its read-only guards (autocommit). */
  void tearDown(Connection c) throws SQLException;

  /** What a read-only mode puts on this target, for messages ({@code read-only guards and default}). */
  String readOnlyMeasures();

  /**
   * Guards the tables a copy created on a read-only replica as replicated DDL's are, in the
   * caller's transaction; nothing where the target has no guards.
   */
  void guardNewTables(Connection c) throws SQLException;

  /**
   * Runs a DDL command at its place, with its search path where the target has one; {@code
   * source} is the kind of source it came from (whose SQL its text is).
   */
  void applyDdl(Connection c, Change.Ddl ddl, SourcePosition.Kind source) throws SQLException;

  /**
   * Checks, before anything of its transaction is applied, that this target can take {@code ddl}
   * from a source of kind {@code source}. Returns true when the target maps the statement itself,
   * even one not {@linkplain Change.Ddl#replayable() replayable} as given (its own database's
   * text); false when Ferry's general rule holds: a replayable text runs as given.
   */
  default boolean checkDdl(Change.Ddl ddl, SourcePosition.Kind source) throws UnmappableDdlException {
    return false;
  }

  /**
   * Whether a DDL statement commits the target's open transaction on its own (MariaDB): then a
   * source transaction carrying DDL is applied alone, after the group before it has committed,
   * its changes before each DDL committed as a step (see {@code DdlSteps} in {@code apply.jdbc}).
   */
  default boolean ddlCommitsOnItsOwn() {
    return false;
  }

  /**
   * Whether a write on {@code c} may carry the commit in the same round trip ({@code …; COMMIT}):
   * where the driver sends several statements in one request and then sends no {@code COMMIT} of
   * its own for a transaction the server reports ended. The group commit writes its progress row
   * that way ({@code ProgressStore}). Not by default.
   */
  default boolean commitsWithAWrite(Connection c) throws SQLException {
    return false;
  }

  /**
   * Defers the deferrable constraints of the open target transaction to its commit, as the
   * source's transaction had them: a key shift ({@code id = id + 1}) applied row by row passes
   * through states where a key is held twice. A no-op where no constraint is deferrable.
   */
  void deferConstraints(Connection c) throws SQLException;


  /**
   * Whether DDL the target refuses stops the replica with advice (run it by hand, then skip-ddl),
   * as on a target that cannot take the source's dialect; otherwise the error is the target's own.
   */
  boolean refusedDdlStopsWithAdvice();

  /**
   * Whether several sessions may write at once (an initial copy's parallel streams); false where
   * a writer locks the whole database.
   */
  boolean concurrentWriters();

  /**
   * Whether the open transaction of {@code c} holds a lock another session waits for. A parallel
   * worker waiting for its commit turn asks it: if an earlier transaction waits for one of its
   * locks, neither could ever go on, so it rolls back ({@code CommitTurn}). True where the target
   * cannot tell (a later transaction rolling back in vain costs time, not correctness); false
   * where a writer locks the whole database (there is one worker).
   */
  boolean blocksAnotherSession(Connection c) throws SQLException;

  /**
   * The clause that locks the rows a read returns until the transaction ends ({@code shared}: other
   * readers may lock them too); empty where a writer locks the whole database.
   */
  String lockRows(boolean shared);

  /** A read for {@link #bothReads}: {@code SELECT columns FROM from} and its lock clause ({@link #lockRows}, or none). */
  record LockedRead(String columns, String from, String lock) {
    public String sql() {
      return "SELECT " + columns + " FROM " + from + lock;
    }
  }

  /**
   * One statement returning the rows of {@code first}, then those of {@code second}, each locked by
   * its own clause: two reads in one round trip (a group's opening reads). Their columns line up.
   */
  default String bothReads(LockedRead first, LockedRead second) {
    return "(" + first.sql() + ") UNION ALL (" + second.sql() + ")";
  }

  /**
   * Makes the connection's next statements a write transaction from their start, in place of the
   * transaction the connection has open (manual-commit mode, nothing run in it yet; it is rolled
   * back): where one writer locks the whole database, its lock is taken now, waiting its turn as
   * any write does. A transaction that reads before it writes needs it there: SQLite refuses such
   * a transaction's first write at once ({@code SQLITE_BUSY}, no busy wait, as waiting could
   * deadlock) when another connection holds the lock or wrote since the read. Nothing where
   * writers lock rows.
   */
  void beginWrite(Connection c) throws SQLException;

  /**
   * Locks {@code table} against every transaction that read it with {@link #lockRows(boolean)},
   * until the caller's transaction ends; nothing where a writer locks the whole database. Where
   * {@link #locksOnlyRowsFound} it waits only for readers of rows that exist.
   */
  void lockTable(Connection c, String table) throws SQLException;

  /**
   * Whether a read with {@link #lockRows(boolean)} locks only the rows it returns, so that one
   * that returns none holds nothing {@link #lockTable} waits for: true for InnoDB at READ
   * COMMITTED (no gap locks). A table locked so keeps a row that every such read returns
   * ({@code TableCopyGate}'s gate row).
   */
  boolean locksOnlyRowsFound();
}
