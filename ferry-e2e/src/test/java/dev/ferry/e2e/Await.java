package dev.ferry.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waiting for a value produced asynchronously (a status file written about once a second, a replica
 * applying behind the source, a log being flushed) instead of reading it once: reads {@code value}
 * until {@code ok} holds and returns that value, or fails after {@code timeout} showing the last one
 * seen. The check stays as strict as a single read; only the moment of reading moves.
 */
final class Await {
  private Await() {}

  static <T> T until(String what, Duration timeout, Callable<T> value, Predicate<? super T> ok) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T seen = value.call();
    while (!ok.test(seen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within " + timeout + "; last seen: " + seen);
      }
      Thread.sleep(250);
      seen = value.call();
    }
    return seen;
  }

  /**
   * Runs {@code check} (AssertJ assertions) until it passes; after {@code timeout} rethrows its last
   * failure, which names what was seen.
   */
  static void untilAsserted(Duration timeout, ThrowingRunnable check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not within " + timeout + ": " + e.getMessage(), e);
        }
      }
      Thread.sleep(250);
    }
  }

  /** A check that may throw (a status read, a query). */
  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
