package dev.ferry.testkit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A byte rate shared by every connection of one direction of a {@link FaultProxy}: writers take
 * slices of a twentieth of a second's worth and wait their turn. A rate of 0 lets everything
 * through at once. Thread-safe.
 */
final class Throttle {
  private final ReentrantLock lock = new ReentrantLock();
  private volatile long bytesPerSecond;
  private long nextFree;

  void rate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("a rate of at least 0 bytes/s (0: unlimited), got " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  /** How many of {@code wanted} bytes to write next. */
  int slice(int wanted) {
    long rate = bytesPerSecond;
    return rate == 0 ? wanted : (int) Math.min(wanted, Math.max(1, rate / 20));
  }

  /** Waits until {@code n} bytes may be written. */
  void acquire(int n) throws InterruptedException {
    long rate = bytesPerSecond;
    if (rate == 0) {
      return;
    }
    long wait;
    lock.lock();
    try {
      long now = System.nanoTime();
      long start = Math.max(now, nextFree);
      nextFree = start + TimeUnit.SECONDS.toNanos(n) / rate;
      wait = start - now;
    } finally {
      lock.unlock();
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
