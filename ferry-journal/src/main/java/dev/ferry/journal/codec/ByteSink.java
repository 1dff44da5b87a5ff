package dev.ferry.journal.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array written big-endian; reused per thread to avoid allocation per record. The
 * codec writes payloads into it and the segment engine builds frames from it. Not thread-safe.
 */
public final class ByteSink {
  private byte[] buf;
  private int size;

  public ByteSink(int capacity) {
    buf = new byte[capacity];
  }

  public void clear() {
    size = 0;
  }

  public int size() {
    return size;
  }

  public byte[] array() {
    return buf;
  }

  public void ensure(int extra) {
    if (size + extra > buf.length) {
      long wanted = Math.max((long) buf.length * 2, (long) size + extra);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("journal record larger than 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }

  void skip(int n) {
    ensure(n);
    size += n;
  }

  public void putByte(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  public void putInt(int v) {
    ensure(4);
    putIntAt(size, v);
    size += 4;
  }

  public void putIntAt(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  public void putLong(long v) {
    putInt((int) (v >>> 32));
    putInt((int) v);
  }

  /** Unsigned LEB128. */
  public void putVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  void putBytes(byte[] bytes) {
    putVarLong(bytes.length);
    putRaw(bytes, 0, bytes.length);
  }

  void putRaw(byte[] bytes, int offset, int length) {
    ensure(length);
    System.arraycopy(bytes, offset, buf, size, length);
    size += length;
  }

  @SuppressWarnings("deprecation")
  public void putString(String s) {
    if (s.length() < 128 && isAscii(s)) {
      putVarLong(s.length());
      ensure(s.length());
      s.getBytes(0, s.length(), buf, size);
      size += s.length();
    } else {
      putBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
