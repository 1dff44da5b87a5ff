package dev.ferry.apply.jdbc;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConflictException;
import dev.ferry.apply.ConflictType;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.journal.Change;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.Gtid;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.TableId;
import dev.ferry.journal.Transaction;
import dev.ferry.journal.Value;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC {@link Applier} for PostgreSQL and SQLite targets.
 *
 * <p>How exactly-once holds: a group (one target transaction) starts by reading — and on
 * PostgreSQL locking — the replica's {@code replication_control} row; a source transaction whose
 * GTID is in the row's set is skipped; the row is rewritten just before the group commits, in the
 * same target transaction. The group's source transactions stay in memory until the commit, so
 * after a transient error (serialization failure, deadlock, lost connection — even during the
 * commit, whose outcome is then unknown) the group is rolled back and replayed from the row as the
 * target has it. When the bulk path (COPY) hits a constraint, the group is replayed row by row so
 * conflicts are found and named one by one.
 *
 * <p>A chunked journal transaction (one the journal could not hold in a record, see
 * {@link #apply(JournalTransaction, String)}) is never held in memory: the open group is committed
 * first, then it is applied alone from its cursor in one target transaction with the progress row;
 * a replay after a transient error reads it again from the journal.
 *
 * <p>Row changes are batched across the source transactions of a group and run at its commit
 * (deferred mode, see {@link ChangeWriter}), so a catch-up pays a round trip per batch, not per
 * change. Anything that is not a transient error — a conflict, a constraint, a refused statement —
 * rolls the group back and replays it in exact mode, which runs each transaction's changes before
 * the next and so names the right transaction and commits those before it.
 *
 * <p>Not thread-safe: one thread drives an applier. Nothing returned is null.
 */
public final class JdbcApplier implements Applier {
  private static final Logger log = LoggerFactory.getLogger(JdbcApplier.class);
  private static final int STATEMENT_CACHE_SIZE = 256;
  private static final Duration COPY_POLL = Duration.ofMillis(250);

  private final ApplyConfig config;
  private final ConnectionSource connections;
  private final InstantSource clock;
  private final String prefix;
  private final Dialect dialect;
  private final ChangeWriter writer;
  private final LargeTransactionApply large;
  private final ProgressStore progress;
  private final ConflictLog conflictLog;
  private final StatementCache cache = new StatementCache(STATEMENT_CACHE_SIZE);
  private final Map<ConflictType, Long> conflictCounts = new EnumMap<>(ConflictType.class);
  private volatile Connection connection;
  private boolean closed;
  /** Set by {@link #abort()} from another thread: no retry, no reconnect, the group stays rolled back. */
  private volatile boolean aborted;

  /** Source transactions of the open group, kept until it commits so it can be replayed. */
  private record Pending(Transaction tx, Optional<String> journalPosition, long bytes) {
  }

  private final List<Pending> pending = new ArrayList<>();
  private int appliedInGroup;
  private boolean groupOpen;
  private Instant groupStarted;
  private long groupBytes;
  private boolean bulk = true;
  private boolean deferred = true;
  private ReplicaPosition groupPosition;
  /** Journal checksums of the transactions not yet committed, by GTID; the last one is written with the group. */
  private final Map<Gtid, Long> checksums = new HashMap<>();
  private Optional<LastApplied> groupLast = Optional.empty();
  private final List<ConflictRecord> groupConflicts = new ArrayList<>();
  private long groupSkipped;
  private long skipped;
  /** The marks of tables copied while streaming, read with the group ({@link TableCopyGate}). */
  private Map<TableId, TableCopyGate.Mark> groupMarks = Map.of();
  /** The table whose copy the applier waits for, and since when it has said so. */
  private Optional<TableId> waitingFor = Optional.empty();
  private Instant waitingSaid = Instant.EPOCH;

  private JdbcApplier(ApplyConfig config, ConnectionSource connections, InstantSource clock, Connection first)
      throws SQLException {
    this.config = config;
    this.connections = connections;
    this.clock = clock;
    this.prefix = "[replica " + config.replicaName() + "] ";
    this.dialect = Dialect.of(first);
    this.progress = new ProgressStore(dialect, config.source());
    this.conflictLog = new ConflictLog(dialect, config.replicaName(), config.source());
    this.writer = new ChangeWriter(config, dialect, cache, conflictLog, clock);
    this.large = new LargeTransactionApply(config, writer);
  }

  /** Opens an applier on the system clock; see {@link #open(ApplyConfig, ConnectionSource, InstantSource)}. */
  public static Applier open(ApplyConfig config, ConnectionSource connections) throws ApplyException {
    return open(config, connections, InstantSource.system());
  }

  /**
   * Connects, creates the progress and conflicts tables if missing, and reads where the replica
   * stands.
   *
   * @throws ApplyException if the target cannot be reached or prepared
   */
  public static Applier open(ApplyConfig config, ConnectionSource connections, InstantSource clock)
      throws ApplyException {
    Connection first = null;
    try {
      first = connections.connect();
      JdbcApplier applier = new JdbcApplier(config, connections, clock, first);
      applier.useConnection(first, config.readOnlyReplica());
      if (!config.readOnlyReplica()) {
        applier.dialect.liftReadOnly(first, config.replicaName());
      }
      applier.progress.ensureRow(first);
      first.commit();
      ReplicaPosition at = applier.position();
      log.info("[replica {}] opened on {}: source {} applied {{}}, schema sequence {}", config.replicaName(),
          applier.dialect.name(), config.source(), at.applied(),
          at.schemaSequence().isPresent() ? String.valueOf(at.schemaSequence().getAsLong()) : "none yet");
      return applier;
    } catch (SQLException e) {
      closeQuietly(first);
      throw new ApplyException("[replica " + config.replicaName() + "] cannot open the target: "
          + SqlStates.describe(e), null, e);
    }
  }

  private void useConnection(Connection c, boolean makeReadOnly) throws SQLException {
    connection = c;
    c.setAutoCommit(true);
    dialect.prepareSession(c, makeReadOnly, config.replicaName());
    c.setAutoCommit(false);
    writer.bind(c);
  }

  @Override
  public void apply(Transaction transaction) throws ApplyException {
    apply(transaction, Optional.empty());
  }

  @Override
  public void apply(Transaction transaction, String journalPosition) throws ApplyException {
    apply(transaction, Optional.of(journalPosition));
  }

  /**
   * Applies a chunked transaction from the journal in bounded memory, alone in its own target
   * transaction (on PostgreSQL with set-based runs, see {@link LargeTransactionApply}); any other
   * is read whole and joins the open group.
   */
  @Override
  public void apply(JournalTransaction transaction, String journalPosition) throws ApplyException {
    checksums.put(transaction.gtid(), transaction.checksum());
    if (!transaction.chunked()) {
      Applier.super.apply(transaction, journalPosition);
      return;
    }
    if (closed) {
      throw new IllegalStateException(prefix + "applier is closed");
    }
    flush();
    if (groupPosition != null && groupPosition.applied().contains(transaction.gtid())) {
      skipped++;
      return;
    }
    applyLarge(transaction, journalPosition);
  }

  private void applyLarge(JournalTransaction jtx, String journalPosition) throws ApplyException {
    Transaction header = new Transaction(jtx.gtid(), jtx.commitTime(), jtx.schemaSequence(), jtx.sourcePosition(),
        List.of());
    Gtid gtid = jtx.gtid();
    int attempt = 1;
    Duration backoff = config.retry().initialBackoff();
    boolean setBased = true;
    while (true) {
      try {
        openGroup();
        if (groupPosition.applied().contains(gtid)) {
          rollbackQuietly();
          skipped++;
          return;
        }
        SchemaCheck check = new SchemaCheck(header, groupPosition.schemaSequence());
        try (ChangeCursor cursor = TableCopyGate.filter(jtx.changes(), jtx.sourcePosition(), groupMarks)) {
          groupConflicts.addAll(large.apply(header, cursor, setBased, check::see));
        }
        groupPosition = new ReplicaPosition(config.source(), groupPosition.applied().add(gtid),
            Optional.of(journalPosition), OptionalLong.of(check.finish()), Optional.of(jtx.commitTime()));
        progress.write(connection, groupPosition, Optional.of(lastApplied(gtid)), clock.instant());
        checksums.remove(gtid);
        connection.commit();
        groupConflicts.forEach(c -> conflictCounts.merge(c.type(), 1L, Long::sum));
        groupOpen = false;
        log.info("{}applied the large transaction {} ({} changes{}) in one target transaction", prefix, gtid,
            jtx.changeCount(), setBased ? "" : ", row by row");
        return;
      } catch (TableCopyGate.CopyRunning copy) {
        rollbackQuietly();
        awaitCopy(copy);
      } catch (StagedRun.SetMismatch mismatch) {
        rollbackQuietly();
        log.info("{}{}: {}; replaying it row by row", prefix, gtid, mismatch.getMessage());
        setBased = false;
      } catch (SQLException e) {
        rollbackQuietly();
        if (aborted) {
          throw abandoned(Optional.of(gtid), e);
        }
        SqlStates.Kind kind = SqlStates.classify(e);
        if (kind == SqlStates.Kind.CONSTRAINT && setBased) {
          log.info("{}{}: a set-based run hit a constraint ({}); replaying it row by row", prefix, gtid,
              SqlStates.describe(e));
          setBased = false;
          continue;
        }
        boolean transientError = kind == SqlStates.Kind.RETRYABLE || kind == SqlStates.Kind.CONNECTION_LOST;
        if (!transientError || attempt >= config.retry().maxAttempts()) {
          String where = writer.currentTable().map(t -> " to " + t).orElse("");
          String message = prefix + "cannot apply " + gtid + where + ": " + writer.describe(e)
              + writer.currentStatement().map(st -> "; statement: " + st).orElse("")
              + (attempt > 1 ? " (after " + attempt + " attempts)" : "");
          log.error("{}", message);
          throw new ApplyException(message, gtid, e);
        }
        log.warn("{}transient error, attempt {} of {}, retrying the large transaction {} in {} ms: {}", prefix,
            attempt, config.retry().maxAttempts(), gtid, backoff.toMillis(), SqlStates.describe(e));
        sleep(backoff);
        backoff = min(backoff.multipliedBy(2), config.retry().maxBackoff());
        attempt++;
        if (kind == SqlStates.Kind.CONNECTION_LOST || !isValid()) {
          reconnect();
        }
      } catch (StopApply stop) {
        rollbackQuietly();
        log.error("{}", stop.getMessage());
        throw stopped(stop, gtid);
      } catch (SchemaSequenceException barrier) {
        rollbackQuietly();
        log.error("{}", barrier.getMessage());
        throw barrier;
      } catch (IOException e) {
        rollbackQuietly();
        String message = prefix + "cannot read " + gtid + " from the journal at " + jtx.position() + ": "
            + e.getMessage();
        log.error("{}", message);
        throw new ApplyException(message, gtid, e);
      } catch (RuntimeException bug) {
        rollbackQuietly();
        String message = prefix + "cannot apply " + gtid + ": " + bug;
        log.error("{}", message, bug);
        throw new ApplyException(message, gtid, bug);
      }
    }
  }

  private void apply(Transaction tx, Optional<String> journalPosition) throws ApplyException {
    if (closed) {
      throw new IllegalStateException(prefix + "applier is closed");
    }
    if (pending.isEmpty() && !groupOpen && groupPosition != null && groupPosition.applied().contains(tx.gtid())) {
      // Committed by an earlier group (groupPosition is what the last commit wrote): no round trip.
      checksums.remove(tx.gtid());
      skipped++;
      return;
    }
    if (pending.isEmpty()) {
      groupStarted = clock.instant();
      groupBytes = 0;
    }
    long bytes = estimateBytes(tx);
    pending.add(new Pending(tx, journalPosition, bytes));
    groupBytes += bytes;
    drive(false);
    if (groupFull()) {
      drive(true);
    }
  }

  private boolean groupFull() {
    ApplyConfig.Grouping g = config.grouping();
    return pending.size() >= g.maxTransactions() || groupBytes >= g.maxBytes()
        || Duration.between(groupStarted, clock.instant()).compareTo(g.maxDelay()) >= 0;
  }

  @Override
  public void flush() throws ApplyException {
    if (!pending.isEmpty() || groupOpen) {
      drive(true);
    }
  }

  /** Applies what is pending and, if asked, commits; rolls back and replays on transient errors. */
  private void drive(boolean commit) throws ApplyException {
    int attempt = 1;
    Duration backoff = config.retry().initialBackoff();
    while (true) {
      try {
        if (!groupOpen) {
          openGroup();
        }
        while (appliedInGroup < pending.size()) {
          applyOne(pending.get(appliedInGroup));
          appliedInGroup++;
        }
        if (commit) {
          writer.settle();
          commitGroup();
        }
        return;
      } catch (TableCopyGate.CopyRunning copy) {
        rollbackQuietly();
        awaitCopy(copy);
      } catch (SQLException e) {
        boolean bulkUsed = writer.bulkUsed();
        int failed = appliedInGroup;
        rollbackQuietly();
        if (aborted) {
          throw abandoned(failed < pending.size() ? Optional.of(pending.get(failed).tx().gtid()) : Optional.empty(), e);
        }
        SqlStates.Kind kind = SqlStates.classify(e);
        if (kind == SqlStates.Kind.CONSTRAINT && bulkUsed && bulk) {
          log.info("{}bulk load hit a constraint ({}); replaying the group row by row", prefix, SqlStates.describe(e));
          bulk = false;
          continue;
        }
        boolean transientError = kind == SqlStates.Kind.RETRYABLE || kind == SqlStates.Kind.CONNECTION_LOST;
        if (!transientError && deferred) {
          replayExactly(SqlStates.describe(e));
          continue;
        }
        if (transientError && copyRunning()) {
          // A copy into this replica holds its write lock (SQLite) for a whole table: wait, attempts are not used up.
          log.debug("{}transient error while a table is copied, retrying: {}", prefix, SqlStates.describe(e));
          sleep(COPY_POLL);
          continue;
        }
        if (transientError && attempt < config.retry().maxAttempts()) {
          log.warn("{}transient error, attempt {} of {}, retrying the group of {} in {} ms: {}", prefix, attempt,
              config.retry().maxAttempts(), pending.size(), backoff.toMillis(), SqlStates.describe(e));
          sleep(backoff);
          backoff = min(backoff.multipliedBy(2), config.retry().maxBackoff());
          attempt++;
          if (kind == SqlStates.Kind.CONNECTION_LOST || !isValid()) {
            reconnect();
          }
          continue;
        }
        throw failed(e, failed, attempt);
      } catch (StopApply stop) {
        int failed = appliedInGroup;
        rollbackQuietly();
        if (deferred) {
          replayExactly(stop.getMessage());
          continue;
        }
        throw stopped(stop, failed);
      } catch (RuntimeException bug) {
        int failed = appliedInGroup;
        if (deferred) {
          rollbackQuietly();
          replayExactly(bug.toString());
          continue;
        }
        Optional<Gtid> gtid = failed < pending.size() ? Optional.of(pending.get(failed).tx().gtid()) : Optional.empty();
        rollbackQuietly();
        salvage(failed);
        String message = prefix + "cannot apply " + gtid.map(Gtid::toString).orElse("the group") + ": " + bug;
        log.error("{}", message, bug);
        throw new ApplyException(message, gtid.orElse(null), bug);
      } catch (SchemaSequenceException barrier) {
        int failed = appliedInGroup;
        rollbackQuietly();
        salvage(failed);
        log.error("{}", barrier.getMessage());
        throw barrier;
      }
    }
  }

  /**
   * The group met a change to a table being copied into the replica ({@code ferry table add} or
   * {@code resync}): it was rolled back and is applied again once the copy is marked done. Says
   * so when it starts waiting and every minute after (a copy that was stopped keeps the replica
   * waiting until the command runs again).
   */
  private void awaitCopy(TableCopyGate.CopyRunning copy) throws ApplyException {
    Instant now = clock.instant();
    if (!waitingFor.equals(Optional.of(copy.table())) || Duration.between(waitingSaid, now).toMinutes() >= 1) {
      log.info("{}waiting for the copy of {} to finish before applying its changes (ferry table add or resync; if "
          + "that command was stopped, run it again)", prefix, copy.table());
      waitingFor = Optional.of(copy.table());
      waitingSaid = now;
    }
    sleep(COPY_POLL);
  }

  /** Whether the marks read last show a table being copied into the replica. */
  private boolean copyRunning() {
    return groupMarks.values().stream().anyMatch(m -> m.state() == TableCopyGate.State.COPYING);
  }

  /** After a failure in deferred mode: the next attempt runs each transaction's changes before the next. */
  private void replayExactly(String why) {
    log.debug("{}replaying the group of {} in exact mode: {}", prefix, pending.size(), why);
    deferred = false;
  }

  private void openGroup() throws SQLException {
    if (aborted) {
      throw new SQLException(prefix + "the applier was aborted", "08003");
    }
    if (connection == null) {
      useConnection(connections.connect(), false);
    }
    groupPosition = progress.read(connection, true);
    groupMarks = TableCopyGate.read(connection, dialect, config.source(), true);
    groupLast = Optional.empty();
    groupOpen = true;
    appliedInGroup = 0;
    groupConflicts.clear();
    groupSkipped = 0;
    writer.resetBulkUsed();
    writer.discard();
  }

  private void applyOne(Pending p) throws SQLException, StopApply, SchemaSequenceException {
    Transaction tx = TableCopyGate.filter(p.tx(), groupMarks);
    if (groupPosition.applied().contains(tx.gtid())) {
      log.debug("{}{} is already applied; skipped", prefix, tx.gtid());
      groupSkipped++;
      return;
    }
    long schemaSequence = checkSchemaSequence(tx);
    groupConflicts.addAll(writer.apply(tx, bulk, deferred));
    groupPosition = new ReplicaPosition(config.source(), groupPosition.applied().add(tx.gtid()),
        p.journalPosition().or(groupPosition::journalPosition), OptionalLong.of(schemaSequence),
        Optional.of(tx.commitTime()));
    groupLast = Optional.of(lastApplied(tx.gtid()));
  }

  private LastApplied lastApplied(Gtid gtid) {
    Long checksum = checksums.get(gtid);
    return new LastApplied(gtid, checksum == null ? OptionalLong.empty() : OptionalLong.of(checksum));
  }

  /**
   * The schema sequence barrier (MusicBrainz): a transaction must belong to the replica's schema
   * sequence, or carry the DDL that takes the replica there. A replica that has applied nothing
   * takes the first transaction's sequence. Returns the replica's sequence after {@code tx}.
   */
  private long checkSchemaSequence(Transaction tx) throws SchemaSequenceException {
    SchemaCheck check = new SchemaCheck(tx, groupPosition.schemaSequence());
    for (Change change : tx.changes()) {
      check.see(change);
    }
    return check.finish();
  }

  /** The barrier for one transaction whose changes are seen one by one (a large one is streamed). */
  private final class SchemaCheck {
    private final Transaction tx;
    private final OptionalLong replica;
    private boolean known;
    private long current;
    private boolean hasDdl;

    SchemaCheck(Transaction tx, OptionalLong replica) {
      this.tx = tx;
      this.replica = replica;
      this.known = replica.isPresent();
      this.current = replica.orElse(0);
    }

    void see(Change change) throws SchemaSequenceException {
      if (change instanceof Change.Ddl ddl) {
        if (known && ddl.schemaSequence() < current) {
          throw barrier(tx, "its DDL is for schema sequence " + ddl.schemaSequence()
              + " but the replica is at schema sequence " + current, ddl.schemaSequence(), current);
        }
        current = ddl.schemaSequence();
        known = true;
        hasDdl = true;
      }
    }

    long finish() throws SchemaSequenceException {
      if (!known) {
        return tx.schemaSequence();
      }
      if (tx.schemaSequence() != current) {
        String why = hasDdl ? " and its DDL only gets to " + current : " and it carries no DDL that gets there";
        long at = replica.orElse(current);
        throw barrier(tx, "it belongs to schema sequence " + tx.schemaSequence()
            + " but the replica is at schema sequence " + at + why, tx.schemaSequence(), at);
      }
      return current;
    }
  }

  private SchemaSequenceException barrier(Transaction tx, String why, long txSequence, long replicaSequence) {
    return new SchemaSequenceException(prefix + "cannot apply " + tx.gtid() + ": " + why, tx.gtid(), txSequence,
        replicaSequence);
  }

  private void commitGroup() throws SQLException {
    progress.write(connection, groupPosition, groupLast, clock.instant());
    connection.commit();
    pending.forEach(p -> checksums.remove(p.tx().gtid()));
    for (ConflictRecord c : groupConflicts) {
      conflictCounts.merge(c.type(), 1L, Long::sum);
    }
    skipped += groupSkipped;
    log.debug("{}committed {} source transactions; applied {{}}", prefix, pending.size(), groupPosition.applied());
    pending.clear();
    groupOpen = false;
    appliedInGroup = 0;
    groupBytes = 0;
    bulk = true;
    deferred = true;
  }

  /** After a failure at {@code failed}: commits the group's transactions before it, drops the rest. */
  private void salvage(int failed) {
    // A failed commit leaves nothing to salvage: trying it again would fail the same way.
    List<Pending> before = failed >= pending.size() ? List.of() : new ArrayList<>(pending.subList(0, failed));
    pending.clear();
    groupOpen = false;
    appliedInGroup = 0;
    bulk = true;
    deferred = true;
    if (before.isEmpty()) {
      return;
    }
    pending.addAll(before);
    try {
      drive(true);
    } catch (ApplyException e) {
      log.error("{}could not commit the {} transactions before the failed one: {}", prefix, before.size(),
          e.getMessage());
      pending.clear();
    }
  }

  private ApplyException failed(SQLException e, int failed, int attempts) {
    Optional<Gtid> gtid = failed < pending.size() ? Optional.of(pending.get(failed).tx().gtid()) : Optional.empty();
    String where = writer.currentTable().map(t -> " to " + t).orElse("");
    String what = gtid.map(g -> "cannot apply " + g + where).orElse("cannot commit a group of " + pending.size()
        + " transactions");
    String message = prefix + what + ": " + writer.describe(e)
        + writer.currentStatement().map(s -> "; statement: " + s).orElse("")
        + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
    salvage(failed);
    log.error("{}", message);
    return new ApplyException(message, gtid.orElse(null), e);
  }

  private ApplyException stopped(StopApply stop, int failed) {
    Gtid gtid = pending.get(failed).tx().gtid();
    salvage(failed);
    log.error("{}", stop.getMessage());
    return stopped(stop, gtid);
  }

  /** Records the conflict that stopped {@code gtid}, if any, in its own target transaction. */
  private ApplyException stopped(StopApply stop, Gtid gtid) {
    Optional<ConflictRecord> conflict = stop.conflict();
    if (conflict.isEmpty()) {
      return new ApplyException(stop.getMessage(), gtid, null);
    }
    ConflictRecord c = conflict.get();
    conflictCounts.merge(c.type(), 1L, Long::sum);
    try {
      if (connection == null) {
        useConnection(connections.connect(), false);
      }
      conflictLog.insert(connection, c);
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      log.warn("{}could not record the conflict in {}: {}", prefix, dialect.controlTables().conflicts(), SqlStates.describe(e));
    }
    return new ConflictException(stop.getMessage(), gtid, c.type(), c.table(), c.key());
  }

  /**
   * Aborts the connection from the calling thread (pgjdbc closes its socket, so a statement
   * waiting on a lock returns at once with an I/O error; the server rolls the transaction back).
   */
  @Override
  public void abort() {
    aborted = true;
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

  private ApplyException abandoned(Optional<Gtid> gtid, SQLException e) {
    pending.clear();
    String message = prefix + "stopped while applying " + gtid.map(Gtid::toString).orElse("a group")
        + ": the applier was aborted (" + SqlStates.describe(e) + "); its open target transaction is rolled back"
        + " and applied again at the next start";
    log.warn("{}", message);
    return new ApplyException(message, gtid.orElse(null), e);
  }

  @Override
  public Optional<LastApplied> lastApplied() throws ApplyException {
    try {
      if (connection == null) {
        useConnection(connections.connect(), false);
      }
      Optional<LastApplied> last = progress.readLast(connection);
      if (!groupOpen) {
        connection.rollback();
      }
      return last;
    } catch (SQLException e) {
      throw new ApplyException(prefix + "cannot read " + dialect.controlTables().progress() + ": " + SqlStates.describe(e), null,
          e);
    }
  }

  @Override
  public ReplicaPosition position() throws ApplyException {
    try {
      if (connection == null) {
        useConnection(connections.connect(), false);
      }
      ReplicaPosition at = progress.read(connection, false);
      if (!groupOpen) {
        connection.rollback();
      }
      return at;
    } catch (SQLException e) {
      throw new ApplyException(prefix + "cannot read " + dialect.controlTables().progress() + ": " + SqlStates.describe(e), null,
          e);
    }
  }

  @Override
  public Map<ConflictType, Long> conflictCounts() {
    return Map.copyOf(conflictCounts);
  }

  @Override
  public long skippedTransactions() {
    return skipped;
  }

  /** Statement cache hits and misses, for tests and metrics. */
  long[] statementCacheStats() {
    return new long[] {cache.hits(), cache.misses()};
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    rollbackQuietly();
    cache.close();
    closeQuietly(connection);
    connection = null;
  }

  private void rollbackQuietly() {
    groupOpen = false;
    appliedInGroup = 0;
    groupPosition = null; // it may hold GTIDs that were never committed: re-read at the next group

    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.debug("{}rollback failed: {}", prefix, e.getMessage());
    }
  }

  private boolean isValid() {
    try {
      return connection != null && connection.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private void reconnect() {
    cache.close();
    closeQuietly(connection);
    connection = null;
    try {
      useConnection(connections.connect(), false);
      log.info("{}reconnected to the target", prefix);
    } catch (SQLException e) {
      // The next attempt tries again and fails as a lost connection while attempts remain.
      log.warn("{}reconnect failed: {}", prefix, SqlStates.describe(e));
      closeQuietly(connection);
      connection = null;
    }
  }

  private void sleep(Duration d) throws ApplyException {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplyException(prefix + "interrupted while waiting to retry", null, e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // Closing a broken connection: nothing to do.
      }
    }
  }

  /** A rough size of the change data, for the group byte bound. */
  static long estimateBytes(Transaction tx) {
    long bytes = 64;
    for (Change change : tx.changes()) {
      List<Value> values = switch (change) {
        case Change.Insert i -> i.row();
        case Change.Update u -> u.row();
        case Change.Delete d -> d.old();
        default -> List.of();
      };
      bytes += 16;
      for (Value v : values) {
        bytes += switch (v) {
          case Value.Text t -> t.value().length();
          case Value.Bytes b -> b.value().length;
          default -> 8;
        };
      }
    }
    return bytes;
  }
}
