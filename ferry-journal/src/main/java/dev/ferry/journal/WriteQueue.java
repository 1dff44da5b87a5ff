package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue between appending threads and the writer thread, bounded in bytes: an append blocks
 * while the queue holds {@code maxBytes} (a frame bigger than that is admitted alone). Once
 * failed, it refuses everything (sticky failure). Thread-safe.
 */
final class WriteQueue {
  /**
   * One frame waiting to be written; its future completes after the fsync that covers it.
   * {@code chunked} names the chunked transaction a CHUNK, COMMIT or ABORT belongs to (its GTID,
   * or for a streamed one its stream key), for the writer's retain-from.
   */
  record Pending(byte[] frame, RecordType type, Gtid gtid, boolean firstChunk, Object chunked,
      CompletableFuture<JournalPosition> future) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final long maxBytes;
  private long bytes;
  private boolean closed;
  private JournalFailedException failure;

  WriteQueue(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Enqueues, blocking while the queue is full; fails the future at once if the journal failed. */
  CompletableFuture<JournalPosition> put(byte[] frame, RecordType type, Gtid gtid, boolean firstChunk,
      Object chunked) {
    CompletableFuture<JournalPosition> future = new CompletableFuture<>();
    lock.lock();
    try {
      while (failure == null && !closed && bytes > 0 && bytes + frame.length > maxBytes) {
        notFull.await();
      }
      if (failure != null) {
        future.completeExceptionally(failure);
      } else if (closed) {
        future.completeExceptionally(new IllegalStateException("journal is closed"));
      } else {
        queue.add(new Pending(frame, type, gtid, firstChunk, chunked, future));
        bytes += frame.length;
        notEmpty.signal();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.completeExceptionally(e);
    } finally {
      lock.unlock();
    }
    return future;
  }

  /**
   * Moves every waiting frame into {@code group}, waiting up to {@code nanos} for the first one.
   * Returns false when the queue is closed and empty (the writer should stop).
   */
  boolean drainTo(List<Pending> group, long nanos) throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closed && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
      if (queue.isEmpty()) {
        return !closed;
      }
      group.addAll(queue);
      queue.clear();
      bytes = 0;
      notFull.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Makes the failure sticky and fails everything still queued. */
  void fail(JournalFailedException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      for (Pending p : queue) {
        p.future().completeExceptionally(failure);
      }
      queue.clear();
      bytes = 0;
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  JournalFailedException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
