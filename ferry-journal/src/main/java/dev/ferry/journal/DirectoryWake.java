package dev.ferry.journal;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the readers of a journal directory in this process when something else in this process
 * made more of it durable: a {@link JournalIngest} writing a journal copy, which, unlike a {@link
 * Journal}'s writer, has no readers of its own to signal. Readers still find the data by the file's
 * size (as a reader in another process does); this only spares them the rest of their poll, which
 * was the whole of a replica node's added lag (bench/push). One per directory, kept for the
 * process's life (a handful of directories). Thread-safe.
 */
final class DirectoryWake {
  private static final ConcurrentHashMap<Path, DirectoryWake> ALL = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile long version;

  private DirectoryWake() {
  }

  static DirectoryWake of(Path dir) {
    return ALL.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new DirectoryWake());
  }

  long version() {
    return version;
  }

  /** Something more of the directory is durable: wakes every waiting reader. */
  void bump() {
    lock.lock();
    try {
      version++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@link #version()} differs from {@code seen} or {@code nanos} pass. */
  void await(long seen, long nanos) throws InterruptedException {
    long left = nanos;
    lock.lock();
    try {
      while (version == seen && left > 0) {
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }
}
