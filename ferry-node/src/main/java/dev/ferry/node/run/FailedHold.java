package dev.ferry.node.run;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Where a {@link ReplicaRunner} that stopped on an error waits (its applier closed, nothing
 * applying) until an operator acts on the replica through the running node ({@link FerryNode#skip})
 * or the runner stops. The operator's action runs under this hold's lock, so the runner cannot go on
 * while it runs; only when it succeeds does the runner apply again. Thread-safe.
 */
final class FailedHold {
  /** How long an action waits for a runner that has just failed to reach its hold. */
  private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(5);
  private static final long CHECK_MILLIS = 100;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean waiting;
  private boolean goOn;

  /** What an operator does while the runner waits. */
  @FunctionalInterface
  interface Action<T> {
    T run() throws IOException;
  }

  /**
   * The runner's thread, after it failed: waits until an action let it go on (true) or {@code
   * stopping} says the runner stops or its thread is interrupted (false, the interrupt kept).
   */
  boolean await(BooleanSupplier stopping) {
    lock.lock();
    try {
      waiting = true;
      goOn = false;
      changed.signalAll();
      while (!goOn && !stopping.getAsBoolean()) {
        changed.await(CHECK_MILLIS, TimeUnit.MILLISECONDS);
      }
      return goOn;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      waiting = false;
      lock.unlock();
    }
  }

  /**
   * Runs {@code action} while the runner waits in {@link #await}, then lets it go on; when the
   * action throws, the runner keeps waiting.
   *
   * @param failed whether the runner failed (it may not have reached its hold yet)
   * @throws NotWaitingException when the runner is not waiting here
   */
  <T> T whileWaiting(BooleanSupplier failed, Action<T> action) throws IOException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
      while (!waiting && failed.getAsBoolean() && System.nanoTime() < deadline) {
        changed.await(CHECK_MILLIS, TimeUnit.MILLISECONDS);
      }
      if (!waiting || goOn) {
        throw new NotWaitingException();
      }
      T result = action.run();
      goOn = true;
      changed.signalAll();
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the replica's runner", e);
    } finally {
      lock.unlock();
    }
  }

  /** The runner is not stopped on an error (or stops): nothing was done. */
  static final class NotWaitingException extends IOException {
    NotWaitingException() {
      super("the replica's runner is not stopped on an error", null);
    }
  }
}
