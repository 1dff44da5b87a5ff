package dev.ferry.apply.jdbc;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConflictType;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.sql.SqlErrorKind;
import dev.ferry.sql.SqlErrorText;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC {@link Applier} for PostgreSQL, SQLite and MariaDB targets. How exactly-once holds: a group (one target
 * transaction) starts by reading — and on PostgreSQL locking — the replica's {@code replication_control} row; a source
 * transaction whose GTID is in the row's set is skipped; the row is rewritten just before the group commits, in the
 * same target transaction. The group's source transactions stay in memory until the commit, so after a transient error
 * (serialization failure, deadlock, lost connection — even during the commit, whose outcome is then unknown) the group
 * is rolled back and replayed from the row as the target has it. When the bulk path (COPY) hits a constraint, the
 * group is replayed row by row so conflicts are named one by one.
 *
 * <p>A chunked journal transaction (see {@link #apply(JournalTransaction, String)}) is never held in memory: the open
 * group commits first, then it is applied alone from its cursor with the progress row (a replay reads it again). So is
 * a transaction carrying DDL where DDL commits on its own ({@link Dialect#ddlCommitsOnItsOwn}, MariaDB: how it stays
 * exactly once, see {@link DdlSteps}). A group's commit waits until the journal holds its transactions durably when
 * they were handed over before the journal's fsync ({@link #gateCommits}).
 *
 * <p>Row changes are batched across the source transactions of a group and run at its commit (deferred mode, see
 * {@link ChangeWriter}), so a catch-up pays a round trip per batch, not per change. Anything that is not a transient
 * error — a conflict, a constraint, a refused statement — rolls the group back and replays it in exact mode, which
 * runs each transaction's changes before the next and so names the right transaction and commits those before it.
 *
 * <p>Not thread-safe: one thread drives an applier. Nothing returned is null.
 */
public final class JdbcApplier implements Applier {
  private static final Logger log = LoggerFactory.getLogger(JdbcApplier.class);

  private final ApplyConfig config;
  private final InstantSource clock;
  private final Dialect dialect;
  private final ChangeWriter writer;
  private final ChunkedApply chunked;
  private final ProgressStore progress;
  private final ConflictLog conflictLog;
  final StatementCache cache = new StatementCache(256); // package-private: tests read its misses
  private final TargetLink link;
  private final ConflictHandling conflicts;
  private boolean closed;
  /** Set by {@link #abort()} from another thread: no retry, no reconnect, the group stays rolled back. */
  private volatile boolean aborted;

  /** Source transactions of the open group, kept until it commits so it can be replayed. */
  private final List<PendingTransaction> pending = new ArrayList<>();
  private int appliedInGroup;
  private boolean groupOpen;
  private Instant groupStarted;
  private long groupBytes;
  private ApplyMode mode = ApplyMode.FAST;
  private ReplicaPosition groupPosition;
  /** Journal checksums of the transactions not yet committed, by GTID; the last one is written with the group. */
  private final Map<Gtid, Long> checksums = new HashMap<>();
  private Optional<LastApplied> groupLast = Optional.empty();
  private final List<ConflictRecord> groupConflicts = new ArrayList<>();
  private long groupSkipped;
  private volatile long skipped; // written by the applier's thread only; a parallel applier reads it from its own
  /** The marks of tables copied while streaming, read with the group ({@link TableCopyGate}). */
  private Map<TableId, TableCopyGate.Mark> groupMarks = Map.of();
  private final CopyWait copyWait;
  /** Set for a parallel apply worker: the progress row is locked only at its commit turn. */
  private final Optional<CommitTurn> turn;
  private final TurnWait turnWait;
  private GtidSet groupStart = GtidSet.empty();

  private JdbcApplier(ApplyConfig config, ConnectionSource connections, InstantSource clock, Connection first,
      Optional<CommitTurn> turn) throws SQLException {
    this.turn = turn;
    this.turnWait = new TurnWait(config.side());
    this.config = config;
    this.clock = clock;
    this.dialect = Dialect.of(first);
    this.progress = new ProgressStore(dialect, config.source());
    this.conflictLog = new ConflictLog(dialect, config.replicaName(), config.source());
    this.writer = new ChangeWriter(config, dialect, cache, conflictLog, clock);
    this.link = new TargetLink(connections, dialect, config.replicaName(), config.source(), writer, cache);
    this.conflicts = new ConflictHandling(config.side(), conflictLog, link);
    this.copyWait = new CopyWait(config.side(), clock);
    this.chunked = new ChunkedApply(config, clock, writer, progress, link, conflicts, () -> aborted);
  }

  /** Opens an applier on the system clock; see {@link #open(ApplyConfig, ConnectionSource, InstantSource)}. */
  public static Applier open(ApplyConfig config, ConnectionSource connections) throws ApplyException {
    return open(config, connections, InstantSource.system());
  }

  /** Connects, creates the progress and conflicts tables if missing, reads where the replica stands; or throws. */
  public static Applier open(ApplyConfig config, ConnectionSource connections, InstantSource clock)
      throws ApplyException {
    return open(config, connections, clock, Optional.empty());
  }

  /**
   * As {@link #open(ApplyConfig, ConnectionSource, InstantSource)}, for one of several appliers on one target
   * (parallel apply): a group reads the progress row without locking it, and at its commit waits for {@code turn},
   * then locks the row and adds its GTIDs to what the row holds.
   */
  public static JdbcApplier open(ApplyConfig config, ConnectionSource connections, InstantSource clock,
      Optional<CommitTurn> turn) throws ApplyException {
    Connection first = null;
    try {
      first = connections.connect();
      JdbcApplier applier = new JdbcApplier(config, connections, clock, first, turn);
      applier.link.useFirst(first, config.readOnlyReplica(), applier.progress);
      ReplicaPosition at = applier.position();
      log.info("{} opened on {}: source {} applied {{}}, schema sequence {}", config.side(), applier.dialect.name(),
          config.source(), at.applied(), at.schemaSequence().stream().mapToObj(Long::toString).findFirst().orElse("none yet"));
      return applier;
    } catch (SQLException e) {
      TargetLink.closeQuietly(first);
      throw new ApplyException(config.side(), "cannot open the target: "
          + SqlErrorText.describe(e), null, e);
    }
  }

  @Override
  public void apply(Transaction transaction) throws ApplyException {
    apply(transaction, Optional.empty());
  }

  @Override
  public void apply(Transaction transaction, JournalPosition journalPosition) throws ApplyException {
    apply(transaction, Optional.of(journalPosition));
  }

  /**
   * Applies a chunked transaction from the journal in bounded memory, alone in its own target transaction (on
   * PostgreSQL set-based, see {@link LargeTransactionApply}); any other is read whole and joins the open group.
   */
  @Override
  public void apply(JournalTransaction transaction, JournalPosition journalPosition) throws ApplyException {
    checksums.put(transaction.gtid(), transaction.checksum());
    if (!transaction.chunked()) {
      Applier.super.apply(transaction, journalPosition);
      return;
    }
    if (closed) {
      throw new IllegalStateException(config.side().prefix("applier is closed"));
    }
    flush();
    if (groupPosition != null && groupPosition.applied().contains(transaction.gtid())) {
      skipped++;
      return;
    }
    Gtid gtid = transaction.gtid();
    Optional<ReplicaPosition> committed = chunked.apply(transaction, journalPosition, lastApplied(gtid));
    checksums.remove(gtid);
    groupPosition = committed.orElse(null);
    if (committed.isEmpty()) {
      skipped++;
    }
  }

  private void apply(Transaction tx, Optional<JournalPosition> journalPosition) throws ApplyException {
    if (closed) {
      throw new IllegalStateException(config.side().prefix("applier is closed"));
    }
    if (pending.isEmpty() && !groupOpen && groupPosition != null && groupPosition.applied().contains(tx.gtid())) {
      // Committed by an earlier group (groupPosition is what the last commit wrote): no round trip.
      checksums.remove(tx.gtid());
      skipped++;
      return;
    }
    boolean alone = dialect.ddlCommitsOnItsOwn() && DdlGate.runsDdl(config, tx); // its DDL would commit a group
    if (alone || pending.isEmpty()) {
      flush(); // commits the group before it, if any
      groupStarted = clock.instant();
      groupBytes = 0;
    }
    PendingTransaction p = new PendingTransaction(tx, journalPosition);
    journalPosition.ifPresent(link.durable::received);
    pending.add(p);
    groupBytes += p.bytes();
    drive(alone);
    if (!alone && groupFull()) {
      drive(true);
    }
  }

  private boolean groupFull() {
    ApplyConfig.Grouping g = config.grouping();
    return pending.size() >= g.maxTransactions() || groupBytes >= g.maxBytes()
        || Duration.between(groupStarted, clock.instant()).compareTo(g.maxDelay()) >= 0;
  }

  @Override
  public boolean gateCommits(dev.ferry.apply.CommitGate gate) {
    if (turn.isEmpty()) { // a parallel worker is handed durable transactions only
      link.durable.gate(gate);
    }
    return turn.isEmpty();
  }

  @Override
  public void flush() throws ApplyException {
    if (!pending.isEmpty() || groupOpen) {
      drive(true);
    }
  }

  /** Applies what is pending and, if asked, commits; rolls back and replays on transient errors. */
  private void drive(boolean commit) throws ApplyException {
    RetryPolicy retry = new RetryPolicy(config.retry(), config.side());
    while (true) {
      try {
        runGroup(commit);
        return;
      } catch (TableCopyGate.CopyRunning copy) {
        rollbackQuietly();
        copyWait.await(copy);
      } catch (TurnWait.Yield yield) {
        rollbackQuietly();
      } catch (SQLException e) {
        afterGroupError(e, retry);
      } catch (StopApply stop) {
        int failed = appliedInGroup;
        rollbackQuietly();
        if (!mode.deferred()) {
          throw stopped(stop, failed);
        }
        replayExactly(stop.getMessage());
      } catch (RuntimeException bug) {
        afterBug(bug);
      } catch (SchemaSequenceException barrier) {
        int failed = appliedInGroup;
        rollbackQuietly();
        salvage(failed);
        log.error("{}", barrier.getMessage());
        throw barrier;
      }
    }
  }

  private void runGroup(boolean commit) throws SQLException, StopApply, SchemaSequenceException, TurnWait.Yield {
    turnWait.afterYield(turn, () -> pending.stream().map(p -> p.tx().gtid()).toList());
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
  }

  /** After an SQL error in a group: returns when the next attempt may follow (row by row, exact, after a pause), else throws. */
  private void afterGroupError(SQLException e, RetryPolicy retry) throws ApplyException {
    boolean bulkUsed = writer.bulkUsed();
    int failed = appliedInGroup;
    rollbackQuietly();
    if (aborted) {
      throw abandoned(gtidAt(failed), e);
    }
    SqlErrorKind kind = dialect.errors().classify(e);
    if (kind == SqlErrorKind.CONSTRAINT && bulkUsed && mode.bulk()) {
      log.info("{} bulk load hit a constraint ({}); replaying the group row by row", config.side(), SqlErrorText.describe(e));
      mode = mode.rowByRow();
      return;
    }
    boolean transientError = kind.isTransient();
    if (!transientError && mode.deferred()) {
      replayExactly(SqlErrorText.describe(e));
      return;
    }
    if (transientError && CopyWait.copyRunning(groupMarks)) {
      // A copy into this replica holds its write lock (SQLite) for a whole table: wait, attempts are not used up.
      log.debug("{} transient error while a table is copied, retrying: {}", config.side(), SqlErrorText.describe(e));
      copyWait.pause();
      return;
    }
    if (transientError && retry.mayRetry()) {
      log.warn("{} transient error, attempt {} of {}, retrying the group of {} in {} ms: {}", config.side(), retry.attempt(),
          retry.maxAttempts(), pending.size(), retry.backoffMillis(), SqlErrorText.describe(e));
      retry.pause(kind, link, SqlErrorText.describe(e));
      return;
    }
    throw failed(e, kind, failed, retry.attempt());
  }

  /** A bug met in deferred mode is replayed in exact mode first, where it is pinned on one transaction. */
  private void afterBug(RuntimeException bug) throws ApplyException {
    int failed = appliedInGroup;
    rollbackQuietly();
    if (mode.deferred()) {
      replayExactly(bug.toString());
      return;
    }
    Optional<Gtid> gtid = gtidAt(failed);
    salvage(failed);
    String message = "cannot apply " + gtid.map(Gtid::toString).orElse("the group") + ": " + bug;
    log.error("{} {}", config.side(), message, bug);
    throw new ApplyException(config.side(), message, gtid.orElse(null), bug);
  }

  private Optional<Gtid> gtidAt(int index) {
    return index < pending.size() ? Optional.of(pending.get(index).tx().gtid()) : Optional.empty();
  }

  /** After a failure in deferred mode: the next attempt runs each transaction's changes before the next. */
  private void replayExactly(String why) {
    log.debug("{} replaying the group of {} in exact mode: {}", config.side(), pending.size(), why);
    mode = mode.exact();
  }

  private void openGroup() throws SQLException {
    if (aborted) {
      throw new SQLNonTransientConnectionException(config.side().prefix("the applier was aborted"));
    }
    Connection c = link.connection();
    GroupStart start = GroupStart.open(c, dialect, progress, config.source(), turn.isEmpty());
    groupPosition = start.position();
    groupStart = groupPosition.applied();
    groupMarks = start.marks();
    groupLast = Optional.empty();
    groupOpen = true;
    appliedInGroup = 0;
    groupConflicts.clear();
    groupSkipped = 0;
    writer.resetBulkUsed();
    writer.discard();
  }

  private void applyOne(PendingTransaction p) throws SQLException, StopApply, SchemaSequenceException {
    Transaction tx = TableCopyGate.filter(p.tx(), groupMarks);
    if (groupPosition.applied().contains(tx.gtid())) {
      log.debug("{} {} is already applied; skipped", config.side(), tx.gtid());
      groupSkipped++;
      return;
    }
    long schemaSequence = SchemaBarrier.check(config.side(), tx, groupPosition.schemaSequence());
    groupConflicts.addAll(writer.apply(tx, mode));
    groupPosition = new ReplicaPosition(config.source(), groupPosition.applied().add(tx.gtid()),
        p.journalPosition().or(groupPosition::journalPosition), OptionalLong.of(schemaSequence),
        Optional.of(tx.commitTime()));
    groupLast = Optional.of(lastApplied(tx.gtid()));
  }

  private LastApplied lastApplied(Gtid gtid) {
    Long checksum = checksums.get(gtid);
    return new LastApplied(gtid, checksum == null ? OptionalLong.empty() : OptionalLong.of(checksum));
  }

  private void commitGroup() throws SQLException, TurnWait.Yield {
    Connection c = link.connection();
    List<Gtid> gtids = turn.isEmpty() ? List.of() : pending.stream().map(p -> p.tx().gtid()).toList();
    if (turn.isPresent()) {
      turnWait.await(turn.get(), gtids, c, dialect);
      Optional<CommitTurn.Resume> resume = turn.get().resumeAt();
      groupPosition = ParallelProgress.merge(config.side(), progress.read(c, true), groupStart, groupPosition, gtids,
          turn.get().inOrder() ? Optional.empty() : Optional.of(resume));
      groupLast = turn.get().inOrder() ? groupLast : resume.flatMap(CommitTurn.Resume::last);
    }
    link.commit(c, withCommit -> progress.write(c, groupPosition, groupLast, clock.instant(), withCommit));
    pending.forEach(p -> checksums.remove(p.tx().gtid()));
    conflicts.committed(groupConflicts);
    skipped += groupSkipped;
    log.debug("{} committed {} source transactions; applied {{}}", config.side(), pending.size(), groupPosition.applied());
    pending.clear();
    groupOpen = false;
    appliedInGroup = 0;
    groupBytes = 0;
    mode = ApplyMode.FAST;
    turn.ifPresent(t -> t.committed(gtids));
  }

  /** After a failure at {@code failed}: commits the group's transactions before it, drops the rest. */
  private void salvage(int failed) {
    // A failed commit leaves nothing to salvage: trying it again would fail the same way.
    List<PendingTransaction> before = failed >= pending.size() ? List.of() : new ArrayList<>(pending.subList(0, failed));
    pending.clear();
    groupOpen = false;
    appliedInGroup = 0;
    mode = ApplyMode.FAST;
    if (before.isEmpty()) {
      return;
    }
    pending.addAll(before);
    try {
      drive(true);
    } catch (ApplyException e) {
      log.error("{} could not commit the {} transactions before the failed one: {}", config.side(), before.size(),
          e.getMessage());
      pending.clear();
    }
  }

  private ApplyException failed(SQLException e, SqlErrorKind kind, int failed, int attempts) {
    Optional<Gtid> gtid = gtidAt(failed);
    String message = gtid.isPresent() ? writer.cannotApply(gtid.get(), e, attempts)
        : writer.failure("cannot commit " + PendingTransaction.name(pending), e, attempts);
    gtid = gtid.or(() -> gtidAt(0)); // a failed commit: the group's first transaction is where a restart resumes
    salvage(failed);
    log.error("{} {}", config.side(), message);
    return RetryPolicy.giveUp(config.side(), kind, message, gtid.orElse(null), e);
  }

  private ApplyException stopped(StopApply stop, int failed) {
    Gtid gtid = pending.get(failed).tx().gtid();
    salvage(failed);
    log.error("{}", stop.getMessage());
    return conflicts.stopped(stop, gtid);
  }

  /** Aborts the connection from the calling thread (a statement waiting on a lock returns at once; the server rolls back). */
  @Override
  public void abort() {
    aborted = true;
    link.abort();
  }

  private ApplyException abandoned(Optional<Gtid> gtid, SQLException e) {
    pending.clear();
    return link.abortedWhile(gtid, e);
  }

  @Override
  public Optional<LastApplied> lastApplied() throws ApplyException {
    return progress.readAlone(link, !groupOpen, config.side(), progress::readLast);
  }

  @Override
  public ReplicaPosition position() throws ApplyException {
    return progress.readAlone(link, !groupOpen, config.side(), c -> progress.read(c, false));
  }

  @Override
  public Optional<Applier.Retrying> retrying() {
    return link.retrying();
  }

  @Override
  public long retries() {
    return link.retries();
  }

  @Override
  public Map<ConflictType, Long> conflictCounts() {
    return conflicts.counts();
  }

  @Override
  public long skippedTransactions() {
    return skipped;
  }

  /** Forgets table shapes and statements: another applier of the target ran DDL. Not while applying. */
  public void forgetTableShapes() {
    writer.invalidate();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      rollbackQuietly();
      link.close();
    }
  }

  private void rollbackQuietly() {
    groupOpen = false;
    appliedInGroup = 0;
    groupPosition = null; // it may hold GTIDs that were never committed: re-read at the next group
    link.rollbackQuietly();
  }
}
