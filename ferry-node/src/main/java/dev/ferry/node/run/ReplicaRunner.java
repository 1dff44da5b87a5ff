package dev.ferry.node.run;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.Applier;
import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.journal.ConsumerAheadException;
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
import java.util.OptionalLong;
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
  private volatile State state = State.STARTING;
  private volatile String lastError;
  private volatile Gtid lastGtid;
  private volatile String appliedSet = "";
  private volatile Instant lastCommitTime;
  private volatile JournalPosition position;
  private volatile boolean caughtUp;
  /** What the target's row said it applied last, when the runner started. */
  private Optional<LastApplied> last = Optional.empty();
  private Gtid pendingGtid;

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
      ReplicaPosition at = applier.position();
      appliedSet = at.applied().toString();
      lastCommitTime = at.lastCommitTime().orElse(null);
      Optional<LastApplied> last = applier.lastApplied();
      checkNotAheadOfJournal(at, last);
      try (JournalReader reader = openReader(at)) {
        state = State.STREAMING;
        log.info("[replica {}] streaming from journal position {}", spec.name(), reader.position());
        stream(applier, reader);
      }
      state = State.STOPPED;
    } catch (ApplyException | IOException | RuntimeException e) {
      fail(e);
    } catch (Error e) {
      fail(new IllegalStateException(e.toString(), e));
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state = State.STOPPED;
    }
  }

  /**
   * A replica whose position the journal no longer holds (its tail was lost after the replica
   * applied it) would otherwise take the next transactions under GTIDs it already has: stop,
   * naming the replica's last GTID and position and the journal's end.
   */
  private void checkNotAheadOfJournal(ReplicaPosition at, Optional<LastApplied> last) throws IOException {
    this.last = last;
    if (at.journalPosition().isEmpty()) {
      return;
    }
    try {
      Journal.checkConsumer(journalDir, spec.name(), JournalPosition.parse(at.journalPosition().get()),
          last.map(LastApplied::gtid), last.map(LastApplied::checksum).orElse(OptionalLong.empty()));
    } catch (ConsumerAheadException e) {
      throw new IOException("[replica " + spec.name() + "] stopped before applying anything: " + e.getMessage(), e);
    }
  }

  /** A transaction under the GTID the replica applied last, with other content, is refused, not skipped. */
  private void refuseReusedGtid(JournalTransaction tx) throws IOException {
    if (last.isEmpty() || !last.get().gtid().equals(tx.gtid()) || last.get().checksum().isEmpty()) {
      return;
    }
    long applied = last.get().checksum().getAsLong();
    if (applied != tx.checksum()) {
      throw new IOException(String.format("[replica %s] the journal's %s at %s has checksum %08x, but the %s this"
          + " replica applied had checksum %08x: the same GTID names two different transactions (the journal lost"
          + " acknowledged records and was written again); refusing to skip or apply it. Re-initialise the replica.",
          spec.name(), tx.gtid(), tx.position(), tx.checksum(), tx.gtid(), applied));
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
            acknowledge(pendingAck, pendingGtid);
            lastAck = clock.instant();
          }
        }
        continue;
      }
      caughtUp = false;
      drained = false;
      JournalTransaction tx = next.get();
      refuseReusedGtid(tx);
      applier.apply(tx, tx.nextPosition().toString()); // a chunked one is streamed, not held
      applied.incrementAndGet();
      lastGtid = tx.gtid();
      pendingGtid = tx.gtid();
      lastCommitTime = tx.commitTime();
      pendingAck = tx.nextPosition();
    }
    applier.flush();
    if (pendingAck != null) {
      position = pendingAck;
      acknowledge(pendingAck, pendingGtid);
    }
  }

  /** Acknowledges {@code p} with the GTID ending there, so the journal's recovery can check it. */
  private void acknowledge(JournalPosition p, Gtid gtid) throws IOException {
    if (journal.isPresent()) {
      journal.get().acknowledge(spec.name(), p, gtid);
    } else {
      Journal.acknowledge(journalDir, spec.name(), p, gtid); // the writer runs in another process
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

  /** Stops after the transaction in hand, commits what was applied, and waits for the thread. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join();
  }
}
