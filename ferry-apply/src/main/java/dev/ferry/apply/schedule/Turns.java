package dev.ferry.apply.schedule;

import dev.ferry.apply.jdbc.CommitTurn;
import dev.ferry.journal.model.Gtid;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The journal order of the transactions handed to workers and which have committed: a unit starts
 * only when the units it waits for have committed; with the commit order kept a group commits only
 * when every transaction handed out before its first has, with it relaxed at once, and then each
 * commit records the {@linkplain #resumeAt() point} before the first transaction not yet committed.
 * Thread-safe.
 */
final class Turns implements CommitTurn {
  private final boolean kept;
  /** What the transactions handed out and not yet passed by the low-water mark end at, by index. */
  private final Map<Long, Resume> points = new HashMap<>();
  private Optional<Resume> resume;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Gtid, Long> index = new HashMap<>();
  private final TreeSet<Long> committedAbove = new TreeSet<>();
  private final DependencyTracker tracker = new DependencyTracker();
  /** Transactions handed out; the next gets this index. */
  private long handedOut;
  /** Every transaction below this index has committed. */
  private long lowWater;
  private Optional<String> failure = Optional.empty();

  /**
   * With the commit order {@code kept} or not; {@code start} is where the replica stood when the
   * applier opened (empty for a new replica).
   */
  Turns(boolean kept, Optional<Resume> start) {
    this.kept = kept;
    this.resume = start;
  }

  /** Numbers {@code gtid} as the next transaction in journal order; {@code end} is the point after it. */
  void handOut(Gtid gtid, Resume end) {
    lock.lock();
    try {
      points.put(handedOut, end);
      index.put(gtid, handedOut++);
    } finally {
      lock.unlock();
    }
  }

  /** Admits a unit (its last transaction's index as id) to the tracker; the ids of the units it waits for. */
  java.util.Set<Long> admit(WriteKeys keys) {
    lock.lock();
    try {
      return tracker.admit(handedOut - 1, keys);
    } finally {
      lock.unlock();
    }
  }

  /** Blocks until the units {@code waits} have committed. */
  void awaitUnits(java.util.Set<Long> waits) throws InterruptedException, SQLException {
    lock.lock();
    try {
      while (waits.stream().anyMatch(u -> !committed(u))) {
        checkNotFailed();
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void await(List<Gtid> gtids) throws SQLException {
    while (!await(gtids, java.time.Duration.ofSeconds(1))) {
      // not yet: wait on
    }
  }

  @Override
  public boolean await(List<Gtid> gtids, java.time.Duration patience) throws SQLException {
    lock.lock();
    try {
      long first = indexOf(gtids.get(0));
      long left = patience.toNanos();
      while (kept && lowWater < first) {
        checkNotFailed();
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLNonTransientException("interrupted while waiting for the commit turn of " + gtids.get(0), e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void committed(List<Gtid> gtids) {
    lock.lock();
    try {
      for (Gtid gtid : gtids) {
        Long i = index.remove(gtid);
        if (i == null) {
          continue; // already marked: a unit marks all of its transactions once it is done
        }
        committedAbove.add(i);
        tracker.committed(i);
      }
      while (committedAbove.remove(lowWater)) {
        resume = Optional.of(points.remove(lowWater));
        lowWater++;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean inOrder() {
    return kept;
  }

  @Override
  public Optional<Resume> resumeAt() {
    lock.lock();
    try {
      return resume;
    } finally {
      lock.unlock();
    }
  }

  /** Blocks until everything handed out has committed. */
  void awaitAll() throws InterruptedException, SQLException {
    lock.lock();
    try {
      while (lowWater < handedOut) {
        checkNotFailed();
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Makes every wait give up: a transaction failed, nothing after it may commit. */
  void fail(String why) {
    lock.lock();
    try {
      if (failure.isEmpty()) {
        failure = Optional.of(why);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean committed(long unit) {
    return unit < lowWater || committedAbove.contains(unit);
  }

  private long indexOf(Gtid gtid) throws SQLException {
    Long i = index.get(gtid);
    if (i == null) {
      throw new SQLNonTransientException(gtid + " was not handed out by the scheduler");
    }
    return i;
  }

  private void checkNotFailed() throws SQLException {
    if (failure.isPresent()) {
      throw new SQLNonTransientException("not committed: " + failure.get());
    }
  }
}
