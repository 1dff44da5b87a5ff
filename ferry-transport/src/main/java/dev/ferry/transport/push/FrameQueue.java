package dev.ferry.transport.push;

import dev.ferry.transport.push.PushFrames.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The frames a receiver session read from the socket and has not yet written into the copy: the
 * hand-off from its reading thread to its writing thread, so the next frames arrive while the
 * previous ones are written and fsynced. Bounded in bytes of payload: a put waits while the queue
 * holds {@code capacity} bytes or more (a frame larger than that is taken when the queue is empty),
 * so the socket, then the supplier, wait in turn (backpressure). The reader ends the queue with
 * {@link #fail}: the taker gets every frame put before, then that failure.
 *
 * <p>Thread-safe: one thread puts, one takes.
 */
final class FrameQueue {
  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Frame> frames = new ArrayDeque<>();
  private long bytes;
  private IOException failure;
  private boolean closed;

  FrameQueue(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Adds {@code f}, waiting while the queue is full.
   *
   * @return false if the taker closed the queue (nothing more is wanted)
   */
  boolean put(Frame f) throws InterruptedException {
    lock.lock();
    try {
      while (!closed && bytes > 0 && bytes + f.payload().length > capacity) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      frames.addLast(f);
      bytes += f.payload().length;
      notEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The reader ended: the taker gets {@code e} once the frames before it are taken. */
  void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The taker ended: a waiting or later put returns false. */
  void close() {
    lock.lock();
    try {
      closed = true;
      frames.clear();
      bytes = 0;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next frame, waiting up to {@code wait} for one.
   *
   * @return empty if none came within {@code wait}
   * @throws IOException the reader's failure, once every frame before it is taken
   */
  Optional<Frame> poll(Duration wait) throws IOException, InterruptedException {
    long nanos = wait.toNanos();
    lock.lock();
    try {
      while (frames.isEmpty()) {
        if (failure != null) {
          throw failure;
        }
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return Optional.of(remove());
    } finally {
      lock.unlock();
    }
  }

  /** The next frame if one is queued and {@code wanted} takes it; never waits. */
  Optional<Frame> pollIf(Predicate<Frame> wanted) {
    lock.lock();
    try {
      Frame head = frames.peekFirst();
      return head != null && wanted.test(head) ? Optional.of(remove()) : Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  private Frame remove() {
    Frame f = frames.removeFirst();
    bytes -= f.payload().length;
    notFull.signal();
    return f;
  }
}
