package dev.ferry.testkit;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fault armed on a {@link FaultProxy}: a byte flipped or the connection cut, at a place in the
 * bytes flowing in one {@link FaultProxy.Direction}. It happens once, on the first connection that
 * reaches the place, and can be awaited. Thread-safe.
 */
public final class ProxyFault {
  /** What happens at the place. */
  enum Action {
    /** The byte there is sent with every bit flipped (XOR 0xFF); the connection goes on. */
    FLIP,
    /**
     * The bytes before it are sent, then end of stream (FIN) to that side, and the side that sent
     * them is reset; the byte there is never sent.
     */
    CUT
  }

  /** Where in the bytes of one direction the fault lands. */
  sealed interface Where {
    /** The byte after {@code target} bytes of the direction counted over all connections (the proxy's count). */
    record AfterTotal(long target) implements Where {}

    /** The byte at {@code offset} of one connection's stream (0: its first byte). */
    record AtOffset(long offset) implements Where {}

    /** The byte {@code into} bytes after the start of the next {@code marker} in a connection's stream. */
    record Inside(byte[] marker, int into) implements Where {
      public Inside {
        if (marker.length == 0 || into < 0) {
          throw new IllegalArgumentException("a marker of at least one byte and an offset >= 0 into it");
        }
        marker = marker.clone();
      }
    }
  }

  private final Action action;
  private final FaultProxy.Direction direction;
  private final Where where;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final CountDownLatch landed = new CountDownLatch(1);
  private volatile boolean cancelled;
  private volatile long offset = -1;

  ProxyFault(Action action, FaultProxy.Direction direction, Where where) {
    this.action = action;
    this.direction = direction;
    this.where = where;
  }

  Action action() {
    return action;
  }

  Where where() {
    return where;
  }

  /** Whether it happened. */
  public boolean happened() {
    return landed.getCount() == 0;
  }

  /** Waits until it happened; false when {@code timeout} passed first. */
  public boolean await(Duration timeout) throws InterruptedException {
    return landed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The offset in its connection's stream (of its direction) where it landed; -1 until it happened. */
  public long offset() {
    return offset;
  }

  /** Disarms it if it has not happened yet (a later fault may then be armed in its direction). */
  public void cancel() {
    cancelled = true;
  }

  boolean pending() {
    return !cancelled && !claimed.get();
  }

  /** Takes the fault for one connection; false when another took it first or it was cancelled. */
  boolean claim() {
    return !cancelled && claimed.compareAndSet(false, true);
  }

  void landedAt(long streamOffset) {
    offset = streamOffset;
    landed.countDown();
  }

  @Override
  public String toString() {
    String place = switch (where) {
      case Where.AfterTotal a -> "after byte " + a.target() + " of all connections";
      case Where.AtOffset a -> "at offset " + a.offset();
      case Where.Inside i -> i.into() + " bytes into " + Arrays.toString(i.marker());
    };
    return action.name().toLowerCase(java.util.Locale.ROOT) + " " + direction + " " + place;
  }
}
