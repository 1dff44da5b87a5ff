package dev.ferry.node.run;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.Applier;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.journal.Gtid;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalPosition;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the journal to one replica on its own thread: reads from where the replica's
 * {@code replication_control} row says it stands (re-delivered transactions are skipped by
 * GTID), applies in journal order, commits when the stream idles, and acknowledges the applied
 * position to the journal so segments every consumer has applied can be purged. An error that
 * is not transient stops this replica only, with the error kept for status. Thread-safe getters.
 */
final class ReplicaRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaRunner.class);
  private static final Duration IDLE_WAIT = Duration.ofMillis(50);
  private static final Duration ACK_EVERY = Duration.ofSeconds(1);
  /** How long a stop waits for the transaction in hand before aborting the target connection. */
  private static final long STOP_GRACE_SECONDS = 10;
  private static final Duration STOP_GRACE = Duration.ofSeconds(STOP_GRACE_SECONDS);
  /** How long a stop then waits for the aborted thread. */
  private static final Duration ABORT_WAIT = Duration.ofSeconds(20);

  /** What a replica is doing. */
  enum State { STARTING, STREAMING, STOPPED, FAILED }

  private final ReplicaSpec spec;
  private final Optional<Journal> journal;
  private final Path journalDir;
  private final String journalId;
  private final InstantSource clock;
  private final Thread thread;
  private final AtomicLong applied = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean aborting;
  private volatile Applier applier;
  private volatile State state = State.STARTING;
  private volatile String lastError;
  private volatile Gtid lastGtid;
  private volatile String appliedSet = "";
  private volatile Instant lastCommitTime;
  private volatile JournalPosition position;
  private volatile boolean caughtUp;

  private ReplicaRunner(ReplicaSpec spec, Optional<Journal> journal, Path journalDir, String journalId,
      InstantSource clock) {
    this.spec = spec;
    this.journal = journal;
    this.journalDir = journalDir;
    this.journalId = journalId;
    this.clock = clock;
    this.thread = Thread.ofPlatform().name("ferry-apply-" + spec.name()).unstarted(this::run);
  }

  /**
   * Starts applying. With {@code journal} present (same process as the writer) the reader wakes as
   * soon as a transaction is durable; without it (a separate {@code ferry apply} process) it polls
   * the directory.
   */
  static ReplicaRunner start(ReplicaSpec spec, Optional<Journal> journal, Path journalDir, String journalId,
      InstantSource clock) {
    ReplicaRunner runner = new ReplicaRunner(spec, journal, journalDir, journalId, clock);
    runner.thread.start();
    return runner;
  }

  private void run() {
    try (Applier applier = JdbcApplier.open(spec.forJournal(journalId), spec::connect, clock)) {
      this.applier = applier;
      if (stopping) {
        state = State.STOPPED;
        return;
      }
      ReplicaPosition at = applier.position();
      appliedSet = at.applied().toString();
      lastCommitTime = at.lastCommitTime().orElse(null);
      try (JournalReader reader = openReader(at)) {
        state = State.STREAMING;
        log.info("[replica {}] streaming from journal position {}", spec.name(), reader.position());
        stream(applier, reader);
      }
      state = State.STOPPED;
    } catch (ApplyException e) {
      if (aborting) {
        state = State.STOPPED; // the rolled-back group is applied again at the next start
        log.info("[replica {}] stopped; what was not committed is applied again at the next start", spec.name());
      } else {
        fail(e);
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    } catch (Error e) {
      fail(new IllegalStateException(e.toString(), e));
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state = State.STOPPED;
    }
  }

  private JournalReader openReader(ReplicaPosition at) throws IOException {
    Optional<JournalPosition> from = at.journalPosition().map(JournalPosition::parse);
    if (journal.isPresent()) {
      return from.isPresent() ? journal.get().readerAt(from.get()) : journal.get().readerAtOldest();
    }
    return from.isPresent() ? JournalReader.openAt(journalDir, from.get()) : JournalReader.openAtOldest(journalDir);
  }

  private void stream(Applier applier, JournalReader reader) throws ApplyException, IOException, InterruptedException {
    Instant lastAck = Instant.EPOCH;
    JournalPosition pendingAck = null;
    boolean drained = false;
    while (!stopping) {
      // Commit as soon as the stream momentarily runs dry (low lag under light load), and only
      // then wait: under a backlog transactions keep coming and groups fill up (throughput).
      Optional<JournalTransaction> next = reader.next(drained ? IDLE_WAIT : Duration.ZERO);
      if (next.isEmpty() && !drained) {
        applier.flush();
        drained = true;
        continue;
      }
      if (next.isEmpty()) {
        applier.flush();
        caughtUp = true;
        if (pendingAck != null) {
          position = pendingAck;
          if (Duration.between(lastAck, clock.instant()).compareTo(ACK_EVERY) >= 0) {
            acknowledge(pendingAck);
            lastAck = clock.instant();
          }
        }
        continue;
      }
      caughtUp = false;
      drained = false;
      JournalTransaction tx = next.get();
      applier.apply(tx, tx.nextPosition().toString()); // a chunked one is streamed, not held
      applied.incrementAndGet();
      lastGtid = tx.gtid();
      lastCommitTime = tx.commitTime();
      pendingAck = tx.nextPosition();
    }
    applier.flush();
    if (pendingAck != null) {
      position = pendingAck;
      acknowledge(pendingAck);
    }
  }

  private void acknowledge(JournalPosition p) throws IOException {
    if (journal.isPresent()) {
      journal.get().acknowledge(spec.name(), p);
    } else {
      Journal.acknowledge(journalDir, spec.name(), p); // the writer runs in another process
    }
  }

  private void fail(Exception e) {
    lastError = e.getMessage();
    state = State.FAILED;
    log.error("[replica {}] stopped: {}", spec.name(), e.getMessage(), e);
  }

  String name() {
    return spec.name();
  }

  State state() {
    return state;
  }

  Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  Optional<Gtid> lastGtid() {
    return Optional.ofNullable(lastGtid);
  }

  /** The applied GTID set as the target recorded it when the runner started. */
  String appliedAtStart() {
    return appliedSet;
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
    return caughtUp && state == State.STREAMING;
  }

  /**
   * Stops after the transaction in hand, commits what was applied, and waits for the thread; if
   * it is still busy after {@value #STOP_GRACE_SECONDS} s (waiting on a lock on the target, or a
   * long transaction), aborts its connection so the target rolls the open group back — it is
   * applied again at the next start — and waits a bounded time more.
   */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (thread.join(STOP_GRACE)) {
      return;
    }
    log.warn("[replica {}] still busy on the target {} s after the stop request: aborting its connection (the open"
        + " target transaction is rolled back and applied again at the next start)", spec.name(),
        STOP_GRACE.toSeconds());
    aborting = true;
    Applier current = applier;
    if (current != null) {
      current.abort();
    }
    if (!thread.join(ABORT_WAIT)) {
      log.error("[replica {}] the apply thread did not stop {} s after its connection was aborted; leaving it",
          spec.name(), ABORT_WAIT.toSeconds());
    }
  }
}
