package dev.ferry.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@link WorkloadClient}s on their own threads, each with its own connection, until
 * {@link #stop()}. Thread-safe.
 */
public final class WorkloadRunner implements AutoCloseable {
  /** Opens a connection for one client. */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  /** What the clients did: committed and rolled-back transactions. */
  public record Stats(long committed, long rolledBack) {}

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong rolledBack = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();

  private WorkloadRunner() {}

  /** Starts {@code clients} clients (numbered 1…clients) of {@code bank}. */
  public static WorkloadRunner start(BankWorkload bank, ConnectionSource source, int clients, long seed) {
    return start(bank, source, 1, clients, seed);
  }

  /**
   * Starts {@code clients} clients of {@code bank} numbered from {@code first}: a later runner on
   * the same tables takes numbers no earlier runner used, since a client's number decides the ids
   * of the rows it inserts.
   */
  public static WorkloadRunner start(BankWorkload bank, ConnectionSource source, int first, int clients, long seed) {
    return start(bank, source, first, clients, seed, Duration.ZERO);
  }

  /**
   * Starts {@code clients} clients of {@code bank} that each pause {@code pause} after every
   * transaction: a steady load for a test that keeps it running for a while (an outage of a
   * minute or two), instead of one that takes every core the machine has.
   */
  public static WorkloadRunner start(BankWorkload bank, ConnectionSource source, int first, int clients, long seed,
      Duration pause) {
    WorkloadRunner runner = new WorkloadRunner();
    long pauseNanos = pause.toNanos();
    for (int i = first; i < first + clients; i++) {
      WorkloadClient client = bank.client(i, seed);
      Thread t = Thread.ofPlatform().name("workload-client-" + i).daemon()
          .unstarted(() -> runner.loop(client, source, pauseNanos));
      runner.threads.add(t);
      t.start();
    }
    return runner;
  }

  private void loop(WorkloadClient client, ConnectionSource source, long pauseNanos) {
    try (Connection c = source.open()) {
      while (running.get()) {
        if (client.step(c) == WorkloadClient.Outcome.ROLLED_BACK) {
          rolledBack.incrementAndGet();
        } else {
          committed.incrementAndGet();
        }
        if (pauseNanos > 0) {
          LockSupport.parkNanos(pauseNanos);
        }
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
      running.set(false);
    }
  }

  /** Transactions committed so far. */
  public long committed() {
    return committed.get();
  }

  /** Waits until at least {@code n} transactions committed (or a client failed). */
  public void awaitCommitted(long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (committed.get() < n && running.get()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + committed.get() + " of " + n + " transactions committed in " + timeout);
      }
      Thread.sleep(5);
    }
    throwIfFailed();
  }

  /** Stops the clients after their current transaction and returns what they did. */
  public Stats stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
    throwIfFailed();
    return new Stats(committed.get(), rolledBack.get());
  }

  private void throwIfFailed() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a workload client failed: " + t, t);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }
}
