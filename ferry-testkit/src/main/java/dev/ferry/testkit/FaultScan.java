package dev.ferry.testkit;

import java.util.Arrays;

/**
 * Where an armed {@link ProxyFault} lands in the chunks one direction of one connection reads: a
 * pump asks it for every chunk. It remembers the last bytes of the previous chunk, so a marker
 * split between two reads is found. Not thread-safe: one pump owns it.
 */
final class FaultScan {
  private ProxyFault fault;
  private byte[] tail = new byte[0];
  private long bound = -1;

  /**
   * The index in {@code chunk[0, n)} where {@code f} lands, or -1.
   *
   * @param position the connection's stream offset of {@code chunk[0]}
   * @param total the direction's count over all connections at {@code chunk[0]}
   */
  int locate(ProxyFault f, byte[] chunk, int n, long position, long total) {
    if (f != fault) {
      fault = f;
      tail = new byte[0];
      bound = -1;
    }
    long target = switch (f.where()) {
      case ProxyFault.Where.AfterTotal a -> a.target() - total + position;
      case ProxyFault.Where.AtOffset a -> a.offset();
      case ProxyFault.Where.Inside i -> inside(i, chunk, n, position);
    };
    return target >= position && target < position + n ? (int) (target - position) : -1;
  }

  /** The stream offset the next marker puts the fault at (found in this chunk or before), or -1. */
  private long inside(ProxyFault.Where.Inside in, byte[] chunk, int n, long position) {
    if (bound >= position) {
      return bound;
    }
    byte[] marker = in.marker();
    byte[] seen = Arrays.copyOf(tail, tail.length + n);
    System.arraycopy(chunk, 0, seen, tail.length, n);
    long seenStart = position - tail.length;
    bound = -1;
    for (int p = 0; p + marker.length <= seen.length && bound < 0; p++) {
      if (Arrays.equals(seen, p, p + marker.length, marker, 0, marker.length) && seenStart + p + in.into() >= position) {
        bound = seenStart + p + in.into();
      }
    }
    int keep = Math.min(seen.length, marker.length - 1);
    tail = Arrays.copyOfRange(seen, seen.length - keep, seen.length);
    return bound;
  }
}
