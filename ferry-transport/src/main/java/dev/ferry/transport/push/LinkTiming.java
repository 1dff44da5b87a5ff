package dev.ferry.transport.push;

import java.time.Duration;

/**
 * The timing of a push link, the same keys on both ends. Immutable.
 *
 * @param heartbeat a side that sent nothing for this long sends a heartbeat (default 1 s)
 * @param timeout a side that received nothing for this long closes the link as dead (default 10 s);
 *     at least twice the heartbeat
 * @param retryMax the longest wait between reconnections; the wait doubles from the heartbeat (default 30 s)
 * @param maxFrame the largest frame a side accepts, checked before allocating (default 64 MiB); a
 *     journal record larger than this cannot be pushed
 */
public record LinkTiming(Duration heartbeat, Duration timeout, Duration retryMax, int maxFrame) {
  public static final LinkTiming DEFAULT = new LinkTiming(Duration.ofSeconds(1), Duration.ofSeconds(10),
      Duration.ofSeconds(30), 64 << 20);
  /** The bytes of journal a DATA frame carries at most (fewer than {@code maxFrame} when that is smaller). */
  static final int CHUNK = 1 << 20;

  public LinkTiming {
    if (heartbeat == null || !heartbeat.isPositive()) {
      throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
    }
    if (timeout == null || timeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("timeout " + timeout + " must be at least twice the heartbeat " + heartbeat);
    }
    if (retryMax == null || retryMax.compareTo(heartbeat) < 0) {
      throw new IllegalArgumentException("retry-max " + retryMax + " must be at least the heartbeat " + heartbeat);
    }
    if (maxFrame < 64 << 10) {
      throw new IllegalArgumentException("max-frame must be at least 64 KiB, got " + maxFrame);
    }
  }

  /** The journal bytes per DATA frame. */
  int chunk() {
    return Math.min(CHUNK, maxFrame - 64);
  }
}
