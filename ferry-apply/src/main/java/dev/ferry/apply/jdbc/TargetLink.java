package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.sql.SqlErrorText;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier's one connection to its target: connects on demand, prepares each new session
 * (the dialect's session settings, the writer's statements), rolls back quietly, reconnects after
 * a lost connection and can be aborted from another thread.
 */
final class TargetLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TargetLink.class);

  private final ConnectionSource connections;
  private final Dialect dialect;
  private final String replicaName;
  private final String source;
  private final Side side;
  private final String prefix;
  private final ChangeWriter writer;
  private final StatementCache cache;
  private volatile Connection connection;
  /** Whether this session's group commit rides on its last write ({@link Dialect#commitsWithAWrite}). */
  private boolean commitWithLastWrite;
  /** What a group commit waits for when transactions arrive before the journal's fsync. */
  final DurableCommits durable = new DurableCommits();
  /** The transient error being retried, until the retried work commits; read by status. */
  private volatile java.util.Optional<dev.ferry.apply.Applier.Retrying> retrying = java.util.Optional.empty();

  TargetLink(ConnectionSource connections, Dialect dialect, String replicaName, String source,
      ChangeWriter writer, StatementCache cache) {
    this.source = source;
    this.connections = connections;
    this.dialect = dialect;
    this.replicaName = replicaName;
    this.side = Side.replica(replicaName);
    this.prefix = side + " ";
    this.writer = writer;
    this.cache = cache;
  }

  /** Retries begun since the link was made; written by the applier's thread only. */
  private volatile long retries;

  void retrying(dev.ferry.apply.Applier.Retrying retry) {
    retrying = java.util.Optional.of(retry);
    retries++; // one writer thread: no lost update
  }

  long retries() {
    return retries;
  }

  /** Commits the group on {@code c} once the journal holds what it applied durably ({@link DurableCommits}). */
  void commit(Connection c) throws SQLException {
    durable.await(side);
    c.commit();
    committed();
  }

  /** The last write of a group, made with its commit ({@code true}) or before it. */
  interface LastWrite {
    void write(boolean withCommit) throws SQLException;
  }

  /**
   * Makes the group's last write and commits, in one round trip where the dialect can
   * ({@link Dialect#commitsWithAWrite}) — then the write waits for the journal's fsync too —,
   * otherwise as {@link #commit}, the write overlapping the fsync.
   */
  void commit(Connection c, LastWrite last) throws SQLException {
    if (commitWithLastWrite) {
      durable.await(side);
      last.write(true);
      c.commit(); // sends nothing: the server said the transaction ended
      committed();
    } else {
      last.write(false);
      commit(c);
    }
  }

  /** The retried work committed: no longer retrying. */
  void committed() {
    if (retrying.isPresent()) {
      retrying = java.util.Optional.empty();
    }
  }

  java.util.Optional<dev.ferry.apply.Applier.Retrying> retrying() {
    return retrying;
  }

  /**
   * Uses an applier's first connection: as {@link #use}, then lifts read-only mode unless asked for
   * it and makes sure the progress row and the table-copy gate row exist (committed), before any group.
   */
  void useFirst(Connection first, boolean readOnly, ProgressStore progress) throws SQLException {
    use(first, readOnly);
    if (!readOnly) {
      dialect.liftReadOnly(first, replicaName);
      // Ends the lift's reads: on SQLite a transaction that read and then writes cannot wait for
      // another applier opening at once (SQLITE_BUSY at once); the insert below starts afresh and waits.
      first.commit();
    }
    progress.ensureRow(first);
    TableCopyGate.ensureGate(first, dialect, source);
    first.commit();
  }

  /** Uses {@code c} from now on, making the session read-only for others when asked. */
  void use(Connection c, boolean makeReadOnly) throws SQLException {
    connection = c;
    commitWithLastWrite = dialect.commitsWithAWrite(c);
    c.setAutoCommit(true);
    dialect.prepareSession(c, makeReadOnly, replicaName);
    dialect.markApplySession(c, source, replicaName);
    c.setAutoCommit(false);
    writer.bind(c);
  }

  /** The connection, opened first if there is none. */
  Connection connection() throws SQLException {
    Connection c = connection;
    if (c == null) {
      use(connections.connect(), false);
      c = connection;
    }
    return c;
  }

  boolean isOpen() {
    return connection != null;
  }

  void rollbackQuietly() {
    Connection c = connection;
    if (c == null) {
      return;
    }
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("{}rollback failed: {}", prefix, e.getMessage());
    }
  }

  boolean isValid() {
    try {
      Connection c = connection;
      return c != null && c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Drops the connection and opens a new one; a failure is left for the next attempt to meet. */
  void reconnect() {
    cache.close();
    closeQuietly(connection);
    connection = null;
    try {
      use(connections.connect(), false);
      log.info("{}reconnected to the target", prefix);
    } catch (SQLException e) {
      // The next attempt tries again and fails as a lost connection while attempts remain.
      log.warn("{}reconnect failed: {}", prefix, SqlErrorText.describe(e));
      closeQuietly(connection);
      connection = null;
    }
  }

  /**
   * Aborts the connection from the calling thread (pgjdbc closes its socket, so a statement
   * waiting on a lock returns at once with an I/O error; the server rolls the transaction back).
   */
  void abort() {
    Connection c = connection;
    if (c == null) {
      return;
    }
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      log.warn("{}could not abort the connection to the target: {}", prefix, e.toString());
    }
  }

  /** The exception for work on {@code gtid} (or a group) that {@link #abort()} cut short. */
  ApplyException abortedWhile(Optional<Gtid> gtid, SQLException e) {
    String message = "stopped while applying " + gtid.map(Gtid::toString).orElse("a group")
        + ": the applier was aborted (" + SqlErrorText.describe(e) + "); its open target transaction is rolled back"
        + " and applied again at the next start";
    ApplyException failure = new ApplyException(side, message, gtid.orElse(null), e);
    log.warn("{}", failure.getMessage());
    return failure;
  }

  @Override
  public void close() {
    cache.close();
    closeQuietly(connection);
    connection = null;
  }

  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // Closing a broken connection: nothing to do.
      }
    }
  }
}
