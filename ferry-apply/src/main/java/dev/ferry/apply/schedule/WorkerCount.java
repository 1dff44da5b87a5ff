package dev.ferry.apply.schedule;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.Dialect;

/**
 * How many parallel apply workers a replica runs, and why, for the log and the docs. Set by
 * {@code apply.workers}, that number; unset ({@code auto}, the default) it is chosen from the
 * target and the machine: one for a target that takes one writer at a time (SQLite: more would
 * only queue on its write lock), else one per two cores of this machine — each worker keeps a
 * core busy on Ferry's side and a backend busy on the target's, and on two cores four workers ran
 * at 0.3–0.45× of serial apply (docs/benchmarks.md) — at least one, at most {@value #CHOSEN_MAX}
 * (more connections contend on the commit turn and the progress row). Immutable.
 *
 * @param workers 1 or more
 * @param why the reason, for the log ({@code set by apply.workers}, or how it was chosen)
 */
public record WorkerCount(int workers, String why) {
  /** The most workers chosen when {@code apply.workers} is not set. */
  public static final int CHOSEN_MAX = 4;

  public WorkerCount {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be 1 or more, got " + workers);
    }
  }

  /** The count for {@code parallel} on a target of {@code dialect}, on a machine of {@code cores} cores. */
  public static WorkerCount of(ApplyConfig.Parallel parallel, Dialect dialect, int cores) {
    if (parallel.workers().isPresent()) {
      return new WorkerCount(parallel.workers().getAsInt(), "set by apply.workers");
    }
    return chosen(dialect.concurrentWriters(), dialect.name(), cores);
  }

  /** The count chosen for a target of kind {@code target} that does or does not take {@code concurrentWriters}. */
  static WorkerCount chosen(boolean concurrentWriters, String target, int cores) {
    if (!concurrentWriters) {
      return new WorkerCount(1, "apply.workers not set: a " + target + " target takes one writer at a time");
    }
    int n = Math.max(1, Math.min(CHOSEN_MAX, cores / 2));
    return new WorkerCount(n, "apply.workers not set: one per two of this machine's " + cores + " cores, at most "
        + CHOSEN_MAX + ", for a " + target + " target");
  }
}
