package dev.ferry.journal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Completes the futures of appends an fsync has already made durable, on a thread of its own, so
 * the writer thread goes on to the next group instead of waking each appender in turn (with many
 * producers, one wake-up per append on the writer's path cost more than the fsync). The writer
 * hands over only futures whose records are durable; a small group it completes itself, since one
 * more hand-over would only add latency there.
 *
 * <p>Thread-safe: the writer calls {@link #complete} and {@link #stop}; one thread of its own
 * completes the futures in the order they were handed over.
 */
final class Completer {
  /** Groups up to this size are completed on the writer thread itself. */
  static final int INLINE_UP_TO = 2;

  private record Durable(CompletableFuture<JournalPosition>[] futures, JournalPosition[] positions, int from,
      int to) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final ArrayDeque<Durable> queue = new ArrayDeque<>();
  private final Thread thread;
  private boolean stopping;

  Completer(String name) {
    this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Completes {@code futures[from..to)} with {@code positions[from..to)}: their records are durable. */
  void complete(CompletableFuture<JournalPosition>[] futures, JournalPosition[] positions, int from, int to) {
    if (to - from <= INLINE_UP_TO) {
      completeNow(futures, positions, from, to);
      return;
    }
    lock.lock();
    try {
      queue.add(new Durable(futures, positions, from, to));
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Completes what was handed over, then ends the thread; returns once every future is complete. */
  void stop() throws InterruptedException {
    lock.lock();
    try {
      stopping = true;
      ready.signal();
    } finally {
      lock.unlock();
    }
    thread.join();
  }

  private void run() {
    while (true) {
      Durable next;
      lock.lock();
      try {
        while (queue.isEmpty() && !stopping) {
          ready.awaitUninterruptibly();
        }
        next = queue.poll();
      } finally {
        lock.unlock();
      }
      if (next == null) {
        return;
      }
      completeNow(next.futures(), next.positions(), next.from(), next.to());
    }
  }

  private static void completeNow(CompletableFuture<JournalPosition>[] futures, JournalPosition[] positions,
      int from, int to) {
    for (int i = from; i < to; i++) {
      futures[i].complete(positions[i]);
    }
  }
}
