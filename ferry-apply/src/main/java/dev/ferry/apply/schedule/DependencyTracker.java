package dev.ferry.apply.schedule;

import dev.ferry.journal.model.TableId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which units of work (one or more consecutive source transactions applied in one target
 * transaction) must wait for which earlier ones: a unit waits for every earlier unit that has not
 * committed yet and whose {@link WriteKeys} conflict with its own — the last writer of each of its
 * row keys, every unit that touched a table it writes as a whole, the last unit that wrote a table
 * whole that it writes a row of, and the last barrier; a barrier waits for all. Whatever order the
 * units then run and commit in, as long as each starts after the units it waits for committed, the
 * target ends in the state serial apply gives (see {@code DependencyScheduleTest}).
 *
 * <p>Units are admitted in journal order with ascending ids. Not thread-safe: the scheduler guards
 * it.
 */
public final class DependencyTracker {
  private static final int FIRST_SWEEP = 4096;

  private final TreeSet<Long> live = new TreeSet<>();
  private final Map<WriteKeys.RowKey, Long> rowWriter = new HashMap<>();
  private final Map<TableId, Long> wholeWriter = new HashMap<>();
  private final Map<TableId, Set<Long>> touching = new HashMap<>();
  private long lastBarrier = -1;
  private long lastAdmitted = -1;
  private int sweepAt = FIRST_SWEEP;

  /**
   * Admits unit {@code id} writing {@code keys}.
   *
   * @return the ids of the earlier units, not yet committed, it must wait for
   * @throws IllegalArgumentException if {@code id} is not above every id admitted before
   */
  public Set<Long> admit(long id, WriteKeys keys) {
    if (id <= lastAdmitted) {
      throw new IllegalArgumentException("unit " + id + " admitted after unit " + lastAdmitted);
    }
    lastAdmitted = id;
    Set<Long> waits = new HashSet<>();
    if (keys.barrier()) {
      waits.addAll(live);
      forgetKeys();
      lastBarrier = id;
      live.add(id);
      return waits;
    }
    addIfLive(waits, lastBarrier);
    for (TableId table : keys.tables()) {
      waits.addAll(touching.getOrDefault(table, Set.of()));
      wholeWriter.put(table, id);
      touch(table, id);
    }
    for (WriteKeys.RowKey row : keys.rows()) {
      addIfLive(waits, rowWriter.getOrDefault(row, -1L));
      addIfLive(waits, wholeWriter.getOrDefault(row.table(), -1L));
      rowWriter.put(row, id);
      touch(row.table(), id);
    }
    waits.retainAll(live);
    live.add(id);
    if (rowWriter.size() >= sweepAt) {
      sweep();
    }
    return waits;
  }

  /** Unit {@code id} committed: no unit admitted later waits for it. */
  public void committed(long id) {
    if (live.remove(id)) {
      touching.values().forEach(units -> units.remove(id));
    }
  }

  /** Units admitted and not yet committed. */
  public int pending() {
    return live.size();
  }

  private void addIfLive(Set<Long> waits, long id) {
    if (id >= 0 && live.contains(id)) {
      waits.add(id);
    }
  }

  private void touch(TableId table, long id) {
    touching.computeIfAbsent(table, t -> new HashSet<>()).add(id);
  }

  /** After a barrier every later unit waits for it: what came before need not be remembered. */
  private void forgetKeys() {
    rowWriter.clear();
    wholeWriter.clear();
    touching.clear();
    sweepAt = FIRST_SWEEP;
  }

  /** Drops the keys whose last writer committed, so memory follows the units in flight, not the history. */
  private void sweep() {
    rowWriter.values().removeIf(id -> !live.contains(id));
    wholeWriter.values().removeIf(id -> !live.contains(id));
    touching.values().removeIf(Set::isEmpty);
    sweepAt = Math.max(FIRST_SWEEP, rowWriter.size() * 2);
  }
}
