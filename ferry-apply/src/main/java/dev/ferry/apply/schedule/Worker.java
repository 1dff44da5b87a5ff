package dev.ferry.apply.schedule;

import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.apply.ApplyException;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One parallel apply worker: a thread applying the units handed to it, in the order handed, on its
 * own {@link JdbcApplier} (its own target connection). The queue is bounded, so a worker that falls
 * behind slows the reader down. The failure, once set, is sticky.
 */
final class Worker {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final int QUEUE = 4;

  /** Consecutive transactions applied as one group, after the units {@code waits} committed. */
  record Unit(List<JournalTransaction> txs, List<JournalPosition> positions, Set<Long> waits) {
  }

  private final ParallelApplier owner;
  private final JdbcApplier applier;
  private final BlockingQueue<Unit> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread thread;
  private volatile ApplyException failure;
  private volatile boolean closing;
  /** Set while a unit is in hand (taken from the queue and not yet committed). */
  private volatile boolean busy;

  private Worker(ParallelApplier owner, int number, JdbcApplier applier) {
    this.owner = owner;
    this.applier = applier;
    this.thread = Thread.ofPlatform().daemon().name("ferry-apply-worker-" + number).unstarted(this::run);
  }

  static Worker start(ParallelApplier owner, int number, JdbcApplier applier) {
    Worker w = new Worker(owner, number, applier);
    w.thread.start();
    return w;
  }

  JdbcApplier applier() {
    return applier;
  }

  Optional<ApplyException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Nothing queued and nothing in hand: a unit handed now starts at once. */
  boolean idle() {
    return !busy && queue.isEmpty() && failure == null;
  }

  /** Queues {@code unit}, waiting while the queue is full; returns at once once the worker failed. */
  void hand(Unit unit) throws InterruptedException {
    while (failure == null && !queue.offer(unit, 100, TimeUnit.MILLISECONDS)) {
      // the worker is busy: wait for room
    }
  }

  private void run() {
    try {
      while (!closing) {
        Unit unit = queue.poll(100, TimeUnit.MILLISECONDS);
        if (unit != null) {
          busy = true;
          try {
            applyUnit(unit);
          } finally {
            busy = false;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ApplyException e) {
      failure = e;
      owner.failed(this, e);
    } catch (RuntimeException e) {
      failure = new ApplyException(owner.side(), "a parallel apply worker failed: " + e, null, e);
      log.error("{}", failure.getMessage(), e);
      owner.failed(this, failure);
    }
  }

  private void applyUnit(Unit unit) throws InterruptedException, ApplyException {
    try {
      owner.order().awaitUnits(unit.waits());
    } catch (SQLException e) {
      throw new ApplyException(owner.side(), "not applied: " + e.getMessage(), unit.txs().get(0).gtid(), e);
    }
    for (int i = 0; i < unit.txs().size(); i++) {
      applier.apply(unit.txs().get(i), unit.positions().get(i));
    }
    applier.flush();
    List<Gtid> gtids = unit.txs().stream().map(JournalTransaction::gtid).toList();
    owner.order().committed(gtids);
  }

  /** Aborts the worker's connection: its open group rolls back and its thread stops. */
  void abort() {
    closing = true;
    applier.abort();
  }

  void close() {
    closing = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      applier.abort();
    }
    applier.close();
  }
}
