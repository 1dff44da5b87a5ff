package dev.ferry.transport.push;

import dev.ferry.journal.model.JournalPosition;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous replica nodes (Firebird's sync replicas, PostgreSQL's {@code synchronous_standby_names}):
 * holds back the completion of each journaled transaction until every synchronous push target has
 * acknowledged it at its level — {@link SyncLevel#RECEIVE}: durable in its journal copy;
 * {@link SyncLevel#APPLY}: applied by all of its replicas. Capture confirms a source position only
 * once that completion happened, so the source's synchronous commit waits for it.
 *
 * <p>A target that has not acknowledged the oldest waiting transaction within its
 * {@code sync-timeout} is <em>excluded</em>: commits stop waiting for it, an error is logged and its
 * link's status says so; it is included again as soon as it has acknowledged everything that waits.
 * Transactions complete in journal order.
 *
 * <p>Thread-safe; one gate thread completes the futures.
 */
public final class SyncGate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncGate.class);
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private record Waiter(JournalPosition position, long since, CompletableFuture<JournalPosition> done) {
  }

  private final List<PushSupplier> sync;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final Map<PushSupplier, JournalPosition> excluded = new HashMap<>();
  private final Thread thread;
  private volatile boolean stopping;
  /** The newest position released; guarded by {@link #lock}. */
  private JournalPosition lastReleased;

  private SyncGate(List<PushSupplier> sync) {
    this.sync = List.copyOf(sync);
    this.thread = Thread.ofPlatform().name("ferry-sync-gate").daemon(true).unstarted(this::run);
  }

  /** A gate over the synchronous ones of {@code suppliers}; with none, {@link #after} completes at once. */
  public static SyncGate start(List<PushSupplier> suppliers) {
    SyncGate gate = new SyncGate(suppliers.stream().filter(s -> s.target().sync() != SyncLevel.NONE).toList());
    for (PushSupplier s : gate.sync) {
      s.onAcknowledged(gate::wake);
    }
    if (!gate.sync.isEmpty()) {
      gate.thread.start();
    }
    return gate;
  }

  /** Whether any push target is synchronous. */
  public boolean active() {
    return !sync.isEmpty();
  }

  /**
   * Completes with {@code position} (a journaled record's position, durable in the journal) once
   * every synchronous target not excluded acknowledged it.
   */
  public CompletableFuture<JournalPosition> after(JournalPosition position) {
    if (sync.isEmpty()) {
      return CompletableFuture.completedFuture(position);
    }
    CompletableFuture<JournalPosition> done = new CompletableFuture<>();
    lock.lock();
    try {
      waiting.addLast(new Waiter(position, System.nanoTime(), done));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return done;
  }

  private void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (!stopping) {
      lock.lock();
      Waiter w;
      try {
        w = waiting.peekFirst();
        if (w == null) {
          includeCaughtUp();
          changed.awaitNanos(RECHECK_NANOS * 5);
          continue;
        }
        if (!released(w)) {
          changed.awaitNanos(RECHECK_NANOS);
          continue;
        }
        waiting.removeFirst();
        lastReleased = w.position();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      w.done().complete(w.position());
    }
  }

  /** With nothing waiting: an excluded target that acknowledged everything released is included again. */
  private void includeCaughtUp() {
    if (lastReleased == null || excluded.isEmpty()) {
      return;
    }
    for (PushSupplier s : List.copyOf(excluded.keySet())) {
      if (s.reached(lastReleased, s.target().sync())) {
        include(s, lastReleased);
      }
    }
  }

  private void include(PushSupplier s, JournalPosition acknowledged) {
    excluded.remove(s);
    s.excluded(Optional.empty());
    LOG.info("[push {}] synchronous replica node included again: it acknowledged {}", s.target().name(),
        acknowledged);
  }

  /** Whether every synchronous target acknowledged {@code w} or is excluded (excluding those past their timeout). */
  private boolean released(Waiter w) {
    boolean all = true;
    long now = System.nanoTime();
    for (PushSupplier s : sync) {
      PushTarget t = s.target();
      boolean acked = s.reached(w.position(), t.sync());
      if (excluded.containsKey(s)) {
        if (acked) {
          include(s, w.position());
        }
        continue;
      }
      if (acked) {
        continue;
      }
      if (now - w.since() > t.syncTimeout().toNanos()) {
        excluded.put(s, w.position());
        String why = "synchronous replica node excluded: it did not acknowledge (" + t.sync() + ") journal position "
            + w.position() + " within sync-timeout " + t.syncTimeout().toMillis() + " ms; commits no longer wait for"
            + " it until it catches up";
        LOG.error("[push {}] {}", t.name(), why);
        s.excluded(Optional.of(why));
        continue;
      }
      all = false;
    }
    return all;
  }

  /** The names of the synchronous targets excluded now. */
  public List<String> excludedNames() {
    lock.lock();
    try {
      return excluded.keySet().stream().map(s -> s.target().name()).sorted().toList();
    } finally {
      lock.unlock();
    }
  }

  /** Stops waiting: every transaction still held back completes (the journal has it durably). */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.interrupt();
    if (thread.isAlive()) {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
    lock.lock();
    try {
      for (Waiter w : waiting) {
        w.done().complete(w.position());
      }
      waiting.clear();
    } finally {
      lock.unlock();
    }
  }
}
