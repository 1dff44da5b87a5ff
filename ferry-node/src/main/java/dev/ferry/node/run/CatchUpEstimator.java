package dev.ferry.node.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Estimates when a replica that is behind catches up: from samples of what it applied and how far
 * it was behind, taken at most once a second over the last {@link #WINDOW} (longer, up to {@link
 * #MAX_WINDOW}, to reach back to the last group commit before it), the apply rate (applied
 * transactions per second) and the incoming rate (the journal's transactions, applied plus behind,
 * per second); the time left is the lag over their difference. No estimate before the samples span
 * {@link #MIN_SPAN}, nor when the replica is not behind; no time left when it does not gain.
 * Thread-safe: every reader of the node's status feeds it.
 *
 * <p>The window is short on purpose: after a long stop the replica's apply rate is what it is now,
 * and the burst of writes that put it behind should stop weighing on the estimate soon after it ends.
 */
final class CatchUpEstimator {
  static final Duration WINDOW = Duration.ofSeconds(10);
  static final Duration MAX_WINDOW = Duration.ofSeconds(60);
  static final Duration MIN_SPAN = Duration.ofSeconds(3);
  private static final Duration EVERY = Duration.ofSeconds(1);

  private record Sample(Instant at, long applied, long behind) {}

  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * Takes a sample (unless the last is less than a second old) and estimates from the window.
   *
   * @param applied transactions the replica applied since the process started (grows only)
   * @param behind transactions it is behind the journal's head now
   */
  Optional<NodeStatus.CatchUp> observe(Instant now, long applied, long behind) {
    lock.lock();
    try {
      Sample last = samples.peekLast();
      if (last == null || !now.isBefore(last.at().plus(EVERY))) {
        samples.addLast(new Sample(now, applied, behind));
      }
      prune(now, applied);
      Sample first = samples.peekFirst();
      double span = Duration.between(first.at(), now).toNanos() / 1e9;
      if (behind <= 0 || span < MIN_SPAN.toSeconds()) {
        return Optional.empty();
      }
      double applyRate = Math.max(0, (applied - first.applied()) / span);
      double incomingRate = Math.max(0, ((applied + behind) - (first.applied() + first.behind())) / span);
      double gain = applyRate - incomingRate;
      Optional<Long> eta = gain > 0 ? Optional.of((long) Math.ceil(behind / gain)) : Optional.empty();
      return Optional.of(new NodeStatus.CatchUp(round(applyRate), round(incomingRate), eta));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the samples older than {@link #WINDOW}, but keeps the window back to the last increase
   * of the applied count (at most {@link #MAX_WINDOW}): a replica commits a group of up to
   * {@code grouping.max-transactions} at once, and a window between two group commits would show it
   * applying nothing.
   */
  private void prune(Instant now, long applied) {
    while (samples.size() > 2 && samples.peekFirst().at().isBefore(now.minus(WINDOW))) {
      Iterator<Sample> it = samples.iterator();
      Sample first = it.next();
      Sample second = it.next();
      if (second.applied() == applied && !first.at().isBefore(now.minus(MAX_WINDOW))) {
        return; // without the first, the window would hold no increase
      }
      samples.removeFirst();
    }
  }

  private static double round(double rate) {
    return Math.round(rate * 10) / 10.0;
  }
}
