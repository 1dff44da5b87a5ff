package dev.ferry.apply.schedule;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConflictType;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.apply.jdbc.CommitTurn;
import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.sql.SqlErrorText;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parallel apply: the caller's thread reads the journal in order and cuts it into units of
 * consecutive transactions. A unit of {@value #MIN_UNIT} or more is handed out as soon as a worker
 * is idle, else it grows up to the grouping bound ({@code grouping.max-transactions}), so a backlog
 * the workers cannot keep up with is applied in units as large as serial apply's groups; a
 * {@link #flush()} (the journal ran dry) hands out whatever is open. Each unit goes to one of
 * {@code apply.workers} workers, each a {@link JdbcApplier} on its own target connection and
 * thread, and starts once the earlier units it conflicts with ({@link DependencyTracker}, by
 * {@link WriteKeys}) have committed. With the commit order kept, a worker commits a group only when
 * every transaction before it has committed ({@link Turns}): the replica passes through the
 * primary's states in order, as with serial apply; with it relaxed, at once, and the applied set
 * may have holes. Each group writes the progress row in its own target transaction, adding its
 * GTIDs under the row's lock (relaxed: with the journal position after the longest run of
 * committed transactions), so a crash loses or repeats nothing. A barrier (DDL, TRUNCATE, a
 * sequence, a chunked transaction) runs alone.
 *
 * <p>{@link #apply} returns once the transaction is handed to a worker; {@link #flush()} waits
 * until everything handed out has committed. A worker's failure stops the others (their open
 * groups roll back) and is thrown by the next call. One thread drives it, as any {@link Applier}.
 */
public final class ParallelApplier implements Applier {
  private static final Logger log = LoggerFactory.getLogger(ParallelApplier.class);
  /** Transactions a unit holds at least before an idle worker takes it (unless flushed). */
  static final int MIN_UNIT = 32;

  private final ApplyConfig config;
  private final Side side;
  private final String prefix;
  private final Applier serial;
  private final Connection catalogConnection;
  private final Dialect dialect;
  private final Map<TableId, Optional<TableInfo>> tables = new HashMap<>();
  private final Turns order;
  /** Copy on write: a worker started first may fail (and walk the list) while open() adds the next. */
  private final List<Worker> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final GtidSet appliedAtOpen;
  private final List<JournalTransaction> unit = new ArrayList<>();
  private final List<JournalPosition> unitPositions = new ArrayList<>();
  private WriteKeys unitKeys = new WriteKeys(false, java.util.Set.of(), java.util.Set.of());
  /** Driven by the caller's thread only, as the rest of the scheduler's state here. */
  private long skipped;
  private int nextWorker;
  /** The failure that stopped the workers (not the others' failures after they were aborted for it). */
  private final java.util.concurrent.atomic.AtomicReference<ApplyException> firstFailure =
      new java.util.concurrent.atomic.AtomicReference<>();

  private ParallelApplier(ApplyConfig config, Applier serial, Connection catalogConnection, Dialect dialect,
      ReplicaPosition at, Optional<LastApplied> last) {
    this.order = new Turns(config.parallel().commitOrder() == ApplyConfig.CommitOrder.KEPT,
        at.journalPosition().map(p -> new CommitTurn.Resume(p, last, at.lastCommitTime())));
    this.config = config;
    this.side = config.side();
    this.prefix = side + " ";
    this.serial = serial;
    this.catalogConnection = catalogConnection;
    this.dialect = dialect;
    this.appliedAtOpen = at.applied();
  }

  /**
   * The applier {@code config} asks for: a {@link JdbcApplier} for one worker, else a parallel
   * one with that many connections (plus one for the catalog and one for barriers). The number is
   * {@code apply.workers}, or chosen from the target and this machine's cores ({@link WorkerCount});
   * the log says which and why.
   *
   * @throws ApplyException if the target cannot be opened, or takes one writer at a time (SQLite)
   *     and more than one worker is asked for
   */
  public static Applier open(ApplyConfig config, ConnectionSource connections, InstantSource clock)
      throws ApplyException {
    if (config.parallel().workers().equals(java.util.OptionalInt.of(1))) {
      log.info("{} applying with 1 worker (set by apply.workers)", config.side());
      return JdbcApplier.open(config, connections, clock);
    }
    Applier serial = JdbcApplier.open(config, connections, clock);
    ParallelApplier applier = null;
    Connection c = null;
    try {
      c = connections.connect();
      c.setAutoCommit(true);
      Dialect dialect = Dialect.of(c);
      WorkerCount count = WorkerCount.of(config.parallel(), dialect, Runtime.getRuntime().availableProcessors());
      int n = count.workers();
      if (n > 1 && !dialect.concurrentWriters()) {
        throw new ApplyException(config.side(), "apply.workers is " + n + ", but a "
            + dialect.name() + " target takes one writer at a time: set apply.workers to 1 for this replica", null, null);
      }
      if (n == 1) {
        close(c);
        log.info("{} applying with 1 worker ({})", config.side(), count.why());
        return serial;
      }
      applier = new ParallelApplier(config, serial, c, dialect, serial.position(), serial.lastApplied());
      for (int i = 0; i < n; i++) {
        applier.workers.add(Worker.start(applier, i,
            JdbcApplier.open(config, connections, clock, Optional.of(applier.order))));
      }
      log.info("{} applying with {} workers, commit order {} ({})", config.side(), n,
          config.parallel().commitOrder().name().toLowerCase(java.util.Locale.ROOT), count.why());
      return applier;
    } catch (SQLException e) {
      close(c);
      serial.close();
      throw new ApplyException(config.side(), "cannot open the target: "
          + SqlErrorText.describe(e), null, e);
    } catch (ApplyException | RuntimeException e) {
      if (applier != null) {
        applier.close();
      } else {
        close(c);
        serial.close();
      }
      throw e;
    }
  }

  Side side() {
    return side;
  }

  Turns order() {
    return order;
  }

  @Override
  public void apply(Transaction transaction) throws ApplyException {
    throw new UnsupportedOperationException(prefix + "parallel apply takes transactions read from the journal");
  }

  @Override
  public void apply(Transaction transaction, JournalPosition journalPosition) throws ApplyException {
    apply(transaction);
  }

  @Override
  public void apply(JournalTransaction tx, JournalPosition journalPosition) throws ApplyException {
    checkWorkers();
    if (appliedAtOpen.contains(tx.gtid())) {
      skipped++;
      return;
    }
    WriteKeys keys = tx.chunked() ? WriteKeys.BARRIER : keysOf(tx);
    if (keys.barrier()) {
      dispatch();
      flush();
      serial.apply(tx, journalPosition);
      serial.flush();
      // DDL may have changed a table's shape: the scheduler's catalog and every worker's statements forget it.
      tables.clear();
      workers.forEach(w -> w.applier().forgetTableShapes());
      return;
    }
    order.handOut(tx.gtid(), new CommitTurn.Resume(journalPosition,
        Optional.of(new LastApplied(tx.gtid(), java.util.OptionalLong.of(tx.checksum()))),
        Optional.of(tx.commitTime())));
    unit.add(tx);
    unitPositions.add(journalPosition);
    unitKeys = unitKeys.union(keys);
    if (unit.size() >= config.grouping().maxTransactions() || (unit.size() >= MIN_UNIT && idleWorker().isPresent())) {
      dispatch();
    }
  }

  private WriteKeys keysOf(JournalTransaction tx) throws ApplyException {
    try {
      return WriteKeys.of(tx.toTransaction(), config.filter(), this::describe, WriteKeys.DEFAULT_MAX_CHANGES);
    } catch (IOException e) {
      throw new ApplyException(side, "cannot read " + tx.gtid() + " from the journal: " + e.getMessage(),
          tx.gtid(), e);
    } catch (SQLException e) {
      throw new ApplyException(side, "cannot describe the tables of " + tx.gtid() + ": "
          + SqlErrorText.describe(e), tx.gtid(), e);
    }
  }

  private Optional<TableInfo> describe(TableId table) throws SQLException {
    Optional<TableInfo> known = tables.get(table);
    if (known == null) {
      known = dialect.catalog().describe(catalogConnection, table);
      tables.put(table, known);
    }
    return known;
  }

  /** Hands the open unit to a worker. */
  private void dispatch() throws ApplyException {
    if (unit.isEmpty()) {
      return;
    }
    Worker.Unit work = new Worker.Unit(List.copyOf(unit), List.copyOf(unitPositions), order.admit(unitKeys));
    unit.clear();
    unitPositions.clear();
    unitKeys = new WriteKeys(false, java.util.Set.of(), java.util.Set.of());
    Worker worker = idleWorker().orElseGet(() -> {
      Worker next = workers.get(nextWorker);
      nextWorker = (nextWorker + 1) % workers.size();
      return next;
    });
    try {
      worker.hand(work);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplyException(side, "interrupted while handing out work", null, e);
    }
    checkWorkers();
  }

  /** A worker with nothing queued and nothing in hand, if any. */
  private Optional<Worker> idleWorker() {
    for (Worker w : workers) {
      if (w.idle()) {
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }

  @Override
  public void flush() throws ApplyException {
    dispatch();
    try {
      order.awaitAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplyException(side, "interrupted while waiting for the workers", null, e);
    } catch (SQLException e) {
      checkWorkers();
      throw new ApplyException(side, e.getMessage(), null, e);
    }
    checkWorkers();
  }

  /** Throws the failure that stopped the workers, if any: the first, not what aborting the others caused. */
  private void checkWorkers() throws ApplyException {
    ApplyException first = firstFailure.get();
    if (first != null) {
      throw first;
    }
    for (Worker w : workers) {
      Optional<ApplyException> failure = w.failure();
      if (failure.isPresent()) {
        throw failure.get();
      }
    }
  }

  /** A worker failed: nothing after the failed transaction may commit; the others give up. */
  void failed(Worker worker, ApplyException e) {
    if (!firstFailure.compareAndSet(null, e)) {
      return; // aborted for the first failure: the others are already stopping
    }
    order.fail(e.getMessage());
    workers.stream().filter(w -> w != worker).forEach(Worker::abort);
  }

  @Override
  public ReplicaPosition position() throws ApplyException {
    return serial.position();
  }

  @Override
  public Optional<LastApplied> lastApplied() throws ApplyException {
    return serial.lastApplied();
  }

  @Override
  public Applier.Workers workers() {
    return new Applier.Workers(workers.size(), config.parallel().commitOrder());
  }

  @Override
  public Optional<Applier.Retrying> retrying() {
    return serial.retrying().or(() -> workers.stream().flatMap(w -> w.applier().retrying().stream()).findFirst());
  }

  @Override
  public long retries() {
    return serial.retries() + workers.stream().mapToLong(w -> w.applier().retries()).sum();
  }

  @Override
  public Map<ConflictType, Long> conflictCounts() {
    Map<ConflictType, Long> counts = new EnumMap<>(ConflictType.class); // EnumMap(Map) refuses an empty map
    counts.putAll(serial.conflictCounts());
    workers.forEach(w -> w.applier().conflictCounts().forEach((t, n) -> counts.merge(t, n, Long::sum)));
    return counts;
  }

  @Override
  public long skippedTransactions() {
    return skipped + serial.skippedTransactions()
        + workers.stream().mapToLong(w -> w.applier().skippedTransactions()).sum();
  }

  @Override
  public void abort() {
    order.fail("the applier was aborted");
    workers.forEach(Worker::abort);
    serial.abort();
  }

  @Override
  public void close() {
    order.fail("the applier was closed");
    workers.forEach(Worker::close);
    serial.close();
    close(catalogConnection);
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing: nothing to do
      }
    }
  }
}
