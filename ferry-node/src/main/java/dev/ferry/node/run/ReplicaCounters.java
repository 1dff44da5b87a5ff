package dev.ferry.node.run;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ConflictType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a replica's runner counted since it started, over every applier it opened (one per
 * (re)connection): changes applied, reconnections, retries and conflicts by type. Thread-safe: the
 * runner writes, metrics read.
 */
final class ReplicaCounters {
  private final LongAdder changes = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<ConflictType, Long> conflictsBefore = new EnumMap<>(ConflictType.class);
  private long retriesBefore;
  private Applier current;

  void applied(long changeCount) {
    changes.add(changeCount);
  }

  void reconnected() {
    reconnects.increment();
  }

  /** A new applier counts from zero: what the one before counted is kept. */
  void opened(Applier applier) {
    lock.lock();
    try {
      if (current != null) {
        retriesBefore += current.retries();
        current.conflictCounts().forEach((t, n) -> conflictsBefore.merge(t, n, Long::sum));
      }
      current = applier;
    } finally {
      lock.unlock();
    }
  }

  long changes() {
    return changes.sum();
  }

  long reconnects() {
    return reconnects.sum();
  }

  long retries() {
    lock.lock();
    try {
      return retriesBefore + (current == null ? 0 : current.retries());
    } finally {
      lock.unlock();
    }
  }

  /** Conflicts by type, every type present (0 when none). */
  Map<ConflictType, Long> conflicts() {
    lock.lock();
    try {
      Map<ConflictType, Long> all = new EnumMap<>(ConflictType.class);
      for (ConflictType t : ConflictType.values()) {
        all.put(t, conflictsBefore.getOrDefault(t, 0L));
      }
      if (current != null) {
        current.conflictCounts().forEach((t, n) -> all.merge(t, n, Long::sum));
      }
      return all;
    } finally {
      lock.unlock();
    }
  }
}
