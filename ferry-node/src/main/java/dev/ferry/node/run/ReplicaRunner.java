package dev.ferry.node.run;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.jdbc.TargetOutage;
import dev.ferry.apply.schedule.ParallelApplier;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SideException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the journal to one replica on its own thread: seeds it first when it is new (see
 * {@link ApplySource.Seeder}), reads from where the replica's {@code replication_control} row says it
 * stands (re-delivered transactions are skipped by GTID), applies in journal order, commits when the
 * stream idles (and at least every second under a backlog), and acknowledges the applied position
 * ({@link AppliedAcks}): to the journal so segments every consumer has applied can be purged, and at
 * once to a primary waiting for it (synchronous push at level {@code apply}).
 *
 * <p>An outage of the target ({@link TargetOutage#isTransient}: connection refused or lost, the
 * server restarting) is ridden out: the runner shows {@code reconnecting} with the error and the
 * time of its next try, and tries again forever with capped exponential backoff, from the
 * position the target committed. Only an error that needs a person (a conflict under
 * {@code stop}, a schema mismatch, a corrupt journal) stops this replica ({@code failed}), its thread
 * waiting in a {@link FailedHold} until an operator skips the transaction through the node; capture
 * and the other replicas never wait for it. Thread-safe getters.
 */
final class ReplicaRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaRunner.class);
  private static final Duration IDLE_WAIT = Duration.ofMillis(50);
  /** Under a backlog, the open group is committed at least this often. */
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
  /** First wait after an outage; doubles on every failed try up to {@link #MAX_RETRY_WAIT}. */
  static final Duration FIRST_RETRY_WAIT = Duration.ofSeconds(1);
  static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(15);
  /** How long a stop waits for the transaction in hand before aborting the target connection. */
  private static final long STOP_GRACE_SECONDS = 10;
  private static final Duration STOP_GRACE = Duration.ofSeconds(STOP_GRACE_SECONDS);
  /** How long a stop then waits for the aborted thread. */
  private static final Duration ABORT_WAIT = Duration.ofSeconds(20);

  private final ReplicaSpec spec;
  private final ApplySource source;
  private final InstantSource clock;
  private final Thread thread;
  private final AtomicLong applied = new AtomicLong();
  private final ReplicaCounters counters = new ReplicaCounters();
  private final NodeObserver observer;
  private final OperatorGate gate;
  private final FailedHold hold = new FailedHold();
  private volatile boolean stopping;
  private volatile boolean aborting;
  private volatile Applier applier;
  private volatile ReplicaState state = ReplicaState.STARTING;
  private volatile String lastError;
  private volatile Instant nextTry;
  private volatile Gtid lastGtid;
  private volatile List<Gtid> appliedByDomain = List.of();
  private volatile GtidSet appliedSet = GtidSet.empty();
  private volatile Instant lastCommitTime;
  private volatile JournalPosition position;
  private volatile boolean caughtUp;
  /** Whether the runner is between a transient failure and the next successful start (runner thread only). */
  private boolean inOutage;
  /** What the target's row said it applied last, when the runner (re)started. */
  private Optional<LastApplied> last = Optional.empty();
  private final GroupGtids group = new GroupGtids(); // applied in the open target transaction

  private ReplicaRunner(ReplicaSpec spec, ApplySource source, InstantSource clock, NodeObserver observer) {
    this.spec = spec;
    this.source = source;
    this.clock = clock;
    this.observer = observer;
    this.gate = new OperatorGate(spec.name(), spec.controls(), source.journalDir(), clock);
    this.thread = Thread.ofPlatform().name("ferry-apply-" + spec.name()).unstarted(this::run);
  }

  /**
   * Starts seeding (if new) and applying. With the journal present (same process as the writer)
   * the reader wakes as soon as a transaction is durable; without it (a separate
   * {@code ferry apply} process) it polls the directory.
   */
  static ReplicaRunner start(ReplicaSpec spec, ApplySource source, InstantSource clock, NodeObserver observer) {
    ReplicaRunner runner = new ReplicaRunner(spec, source, clock, observer);
    runner.thread.start();
    return runner;
  }

  private void run() {
    Duration wait = FIRST_RETRY_WAIT;
    boolean seeded = false;
    while (!stopping) {
      try {
        if (!seeded) {
          ReplicaState before = state;
          state = ReplicaState.SEEDING;
          try {
            source.seeder().seedIfNew(spec);
          } finally {
            state = before;
          }
          seeded = true;
        }
        applyUntilStopped();
        state = ReplicaState.STOPPED;
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ApplyException | IOException | RuntimeException e) {
        if (stopping) {
          if (aborting) { // close() aborted the connection: the rolled-back group is applied again at the next start
            log.info("{} stopped; what was not committed is applied again at the next start", spec.side());
          }
          break; // or an initial sync interrupted by close(): the next start copies again
        }
        if (!TargetOutage.isTransient(e)) {
          fail(e);
          if (!hold.await(() -> stopping)) { // until an operator's skip lets it go on (FerryNode#skip)
            return;
          }
          state = ReplicaState.STARTING;
          lastError = null;
          continue;
        }
        wait = state == ReplicaState.STREAMING ? FIRST_RETRY_WAIT : wait;
        if (!awaitRetry(e, wait)) {
          break;
        }
        wait = wait.multipliedBy(2).compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait.multipliedBy(2);
      } catch (Error e) {
        fail(new IllegalStateException(e.toString(), e));
        throw e;
      }
    }
    state = ReplicaState.STOPPED;
  }

  /** Shows the outage and waits {@code wait}; false if the runner was closed meanwhile. */
  private boolean awaitRetry(Exception e, Duration wait) {
    lastError = e.getMessage();
    nextTry = clock.instant().plus(wait);
    if (!inOutage) {
      log.warn("{} unreachable, retrying every {} s at most until it is back: {}", spec.side(),
          MAX_RETRY_WAIT.toSeconds(), e.getMessage());
    } else {
      log.info("{} still unreachable, next try in {} s: {}", spec.side(), wait.toSeconds(), e.getMessage());
    }
    state = ReplicaState.RECONNECTING;
    counters.reconnected();
    inOutage = true;
    long deadline = System.nanoTime() + wait.toNanos();
    while (!stopping && System.nanoTime() < deadline) {
      try {
        Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !stopping;
  }

  private void applyUntilStopped() throws ApplyException, IOException, InterruptedException {
    try (Applier applier = ParallelApplier.open(spec.forJournal(source.journalId()), spec::connect, clock)) {
      this.applier = applier;
      counters.opened(applier);
      if (stopping) {
        return;
      }
      ReplicaPosition at = applier.position();
      Optional<LastApplied> lastApplied = applier.lastApplied();
      this.last = lastApplied;
      committed(at);
      ReplicaJournal.notAheadOfJournal(spec, source.journalDir(), at, lastApplied);
      gate.load();
      try (JournalReader reader = openReader(at, applier)) {
        if (inOutage) {
          log.info("{} reconnected: streaming again from journal position {}", spec.side(),
              reader.position());
        } else {
          log.info("{} streaming from journal position {}", spec.side(), reader.position());
        }
        state = ReplicaState.STREAMING;
        inOutage = false;
        lastError = null;
        nextTry = null;
        Optional<String> reached = gate.reached(at.applied());
        if (reached.isPresent()) {
          holdAtUntil(reached.get());
          return;
        }
        stream(applier, reader);
      } catch (ApplyException e) {
        if (!TargetOutage.isTransient(e)) {
          committedAfterFailure(applier);
        }
        throw e;
      }
    }
  }

  /**
   * What the target committed, as status shows it: never the transaction that failed. The applied
   * set keeps no server ids: the GTID the target recorded last gives its own (a MariaDB source's
   * GTIDs carry the server that wrote each), else the source's configured one.
   */
  private void committed(ReplicaPosition at) {
    at.applied().domains().stream().findFirst().flatMap(d -> at.applied().highest(d).map(seq ->
        named(new Gtid(d, source.serverId(), seq)))).ifPresent(g -> lastGtid = g);
    appliedByDomain = Gtids.newestOf(at.applied(), source.serverId()).stream().map(this::named).toList();
    appliedSet = at.applied();
    at.lastCommitTime().ifPresent(t -> lastCommitTime = t);
    at.journalPosition().ifPresent(p -> position = p);
  }

  private Gtid named(Gtid g) {
    return last.map(LastApplied::gtid).filter(l -> l.domain() == g.domain() && l.seq() == g.seq()).orElse(g);
  }

  private void committedAfterFailure(Applier applier) {
    try {
      committed(applier.position());
    } catch (ApplyException | RuntimeException e) {
      log.debug("{} cannot read the committed position after the failure: {}", spec.side(),
          e.getMessage());
    }
  }

  /** Reading this process's journal, apply overlaps its fsync where the applier makes each commit wait for it. */
  private JournalReader openReader(ReplicaPosition at, Applier applier) throws IOException {
    Optional<JournalPosition> from = at.journalPosition();
    if (source.journal().isPresent()) {
      Journal j = source.journal().get();
      JournalReader r = from.isPresent() ? j.readerAt(from.get()) : j.readerAtOldest();
      return applier.gateCommits(r::awaitDurable) ? r.readAheadOfFsync() : r;
    }
    Path dir = source.journalDir();
    return from.isPresent() ? JournalReader.openAt(dir, from.get()) : JournalReader.openAtOldest(dir);
  }

  private void stream(Applier applier, JournalReader reader) throws ApplyException, IOException, InterruptedException {
    AppliedAcks acks = new AppliedAcks(source, spec.name(), clock, AppliedAcks.EVERY);
    Instant lastFlush = clock.instant();
    Uncommitted open = Uncommitted.NONE;
    group.clear(); // what a failed group held was rolled back; the target's row was read since
    boolean drained = false;
    while (!stopping) {
      // Commit as soon as the stream momentarily runs dry (low lag under light load), and only
      // then wait: under a backlog transactions keep coming and groups fill up (throughput).
      Optional<JournalTransaction> next = reader.next(drained ? IDLE_WAIT : Duration.ZERO);
      boolean flushDue = Duration.between(lastFlush, clock.instant()).compareTo(COMMIT_EVERY) >= 0;
      if (next.isEmpty() || flushDue) {
        applier.flush();
        lastFlush = clock.instant();
        open = open.commit(this);
        caughtUp = next.isEmpty() && drained;
        acks.committed(position, lastGtid);
      }
      if (next.isEmpty()) {
        drained = true;
        if (gate.suspended()) {
          pause(applier);
        }
        continue;
      }
      caughtUp = false;
      drained = false;
      JournalTransaction tx = next.get();
      if (gate.mustWait(tx)) { // between transactions: commit what was applied, then wait with the next in hand
        applier.flush();
        open = open.commit(this);
        acks.committed(position, lastGtid);
        if (!waitForTurn(applier, tx)) {
          break;
        }
      }
      gate.inspect(tx);
      ReplicaJournal.refuseReusedGtid(spec, last, tx);
      long start = System.nanoTime();
      applier.apply(tx, tx.nextPosition()); // a chunked one is streamed, not held
      observer.applied(spec.name(), System.nanoTime() - start);
      applied.incrementAndGet();
      counters.applied(tx.changeCount());
      group.add(tx.gtid());
      open = new Uncommitted(Optional.of(tx.commitTime()), Optional.of(tx.nextPosition()));
      Optional<String> reached = gate.stopAfter(tx);
      if (reached.isPresent()) {
        applier.flush();
        open = open.commit(this);
        acks.committed(position, lastGtid);
        holdAtUntil(reached.get());
      }
    }
    applier.flush();
    open.commit(this);
    acks.flush(position, lastGtid);
  }

  /** Waits while suspended, everything applied committed; status shows {@code suspended}. */
  private void pause(Applier applier) throws ApplyException, IOException, InterruptedException {
    applier.flush();
    state = ReplicaState.SUSPENDED;
    log.info("[replica {}] suspended: applying nothing until resumed", spec.name());
    while (gate.suspended() && !stopping) {
      Thread.sleep(IDLE_WAIT.toMillis());
    }
    state = ReplicaState.STREAMING;
    log.info("[replica {}] resumed", spec.name());
  }

  /**
   * Waits, everything applied committed, while the replica is suspended or {@code tx} is held back
   * by the replica's delay; false when the runner stops meanwhile, or {@code tx} lies past the
   * replica's {@code until} (then it stays paused until the runner stops).
   */
  private boolean waitForTurn(Applier applier, JournalTransaction tx)
      throws ApplyException, IOException, InterruptedException {
    if (gate.stopBefore(tx).isPresent()) {
      holdAtUntil(gate.stopBefore(tx).get());
      return false;
    }
    for (Optional<Instant> due = gate.holdUntil(tx); !stopping; due = gate.holdUntil(tx)) {
      if (gate.suspended()) {
        pause(applier);
      } else if (due.isPresent()) {
        state = ReplicaState.DELAYED;
        lastError = gate.delayed(tx, due.get());
        Thread.sleep(Math.max(1, Math.min(IDLE_WAIT.toMillis(), Duration.between(clock.instant(), due.get()).toMillis())));
      } else {
        state = ReplicaState.STREAMING;
        lastError = null;
        return true;
      }
    }
    return false;
  }

  /** Stays at the {@code until} point (everything applied committed) until the runner stops. */
  private void holdAtUntil(String reason) throws InterruptedException {
    state = ReplicaState.PAUSED;
    lastError = reason;
    log.info("{} paused: {}", spec.side(), reason);
    while (!stopping) {
      Thread.sleep(IDLE_WAIT.toMillis());
    }
  }

  /** Pauses applying between transactions ({@code suspend}), durably; false resumes. Any thread. */
  void suspend(boolean pause) throws IOException {
    gate.suspend(pause);
  }

  /** Runs {@code action} while this runner waits, stopped on an error; then it applies again. Any thread. */
  <T> T whileFailed(FailedHold.Action<T> action) throws IOException {
    return hold.whileWaiting(() -> state == ReplicaState.FAILED, action);
  }

  /** What this runner counted since it started, for metrics. */
  ReplicaCounters counters() {
    return counters;
  }

  /** The newest transaction applied but not yet known committed; status shows it (and the group's GTIDs) once flushed. */
  private record Uncommitted(Optional<Instant> commitTime, Optional<JournalPosition> next) {
    static final Uncommitted NONE = new Uncommitted(Optional.empty(), Optional.empty());

    Uncommitted commit(ReplicaRunner r) {
      if (!r.group.isEmpty()) {
        r.lastGtid = r.group.last();
        r.appliedByDomain = r.group.addTo(r.appliedByDomain);
        r.appliedSet = r.group.addTo(r.appliedSet);
        r.group.clear();
      }
      commitTime.ifPresent(t -> r.lastCommitTime = t);
      next.ifPresent(p -> r.position = p);
      return NONE;
    }
  }

  private void fail(Exception e) {
    lastError = e.getMessage();
    nextTry = null;
    state = ReplicaState.FAILED;
    log.error("{} stopped: {}", spec.side(), e.getMessage(), e);
  }

  String name() {
    return spec.name();
  }

  /** The state; {@code retrying} while streaming with the applier retrying a transient error. */
  ReplicaState state() {
    ReplicaState now = state;
    return now == ReplicaState.STREAMING && retrying().isPresent() ? ReplicaState.RETRYING : now;
  }

  /** What stopped the replica, or the outage or transient error it is retrying. */
  Optional<String> lastError() {
    Optional<Applier.Retrying> retry = state == ReplicaState.STREAMING ? retrying() : Optional.empty();
    return retry.map(r -> "attempt " + r.attempt() + " of " + r.maxAttempts() + " failed: " + r.error())
        .or(() -> Optional.ofNullable(lastError));
  }

  /** When a reconnecting or retrying replica tries again. */
  Optional<Instant> nextTry() {
    if (state == ReplicaState.STREAMING) {
      return retrying().map(Applier.Retrying::nextTry);
    }
    return state == ReplicaState.RECONNECTING ? Optional.ofNullable(nextTry) : Optional.empty();
  }

  private Optional<Applier.Retrying> retrying() {
    return Optional.ofNullable(applier).flatMap(Applier::retrying);
  }

  /** The newest transaction committed in each GTID domain. */
  List<Gtid> appliedByDomain() {
    return appliedByDomain;
  }

  /** How many target connections apply at once, once the target is open. */
  Optional<Applier.Workers> workers() {
    return Optional.ofNullable(applier).map(Applier::workers);
  }

  /** Every GTID the target committed, as far as this runner knows (holes after a relaxed parallel apply). */
  GtidSet appliedSet() {
    return appliedSet;
  }

  Optional<Gtid> lastGtid() {
    return Optional.ofNullable(lastGtid);
  }

  Optional<Instant> lastCommitTime() {
    return Optional.ofNullable(lastCommitTime);
  }

  /** The journal position after the last committed transaction, once known. */
  Optional<JournalPosition> position() {
    return Optional.ofNullable(position);
  }

  /** Transactions applied by this runner since it started. */
  long applied() {
    return applied.get();
  }

  /** Whether the last read found nothing new and everything read was committed. */
  boolean caughtUp() {
    return caughtUp && state == ReplicaState.STREAMING;
  }

  /**
   * Stops after the transaction in hand, commits what was applied, and waits for the thread. An
   * initial sync in progress is interrupted at its next safe point (between chunks of the copy);
   * the replica keeps no position, so the next start copies again. If the thread is still busy
   * after {@value #STOP_GRACE_SECONDS} s (waiting on a lock on the target, or a long transaction),
   * aborts its connection so the target rolls the open group back — it is applied again at the
   * next start — and waits a bounded time more.
   */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (state == ReplicaState.SEEDING) {
      thread.interrupt();
    }
    if (thread.join(STOP_GRACE)) {
      return;
    }
    log.warn("{} still busy on the target {} s after the stop request: aborting its connection (the open"
        + " target transaction is rolled back and applied again at the next start)", spec.side(),
        STOP_GRACE.toSeconds());
    aborting = true;
    Applier current = applier;
    if (current != null) {
      current.abort();
    }
    if (!thread.join(ABORT_WAIT)) {
      log.error("{} the apply thread did not stop {} s after its connection was aborted; leaving it",
          spec.side(), ABORT_WAIT.toSeconds());
    }
  }
}
