package dev.ferry.journal.codec;

import java.nio.charset.StandardCharsets;

/**
 * Reads what a {@link ByteSink} wrote from a byte array. Malformed input throws
 * {@link MalformedRecordException}, which the segment engine turns into a corruption report. The
 * engine makes one over a record's payload and hands it to {@link RecordCodec}. Not thread-safe.
 */
public final class ByteSource {
  private final byte[] buf;
  private int pos;
  private final int end;

  public ByteSource(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  /** Thrown for bytes that passed the CRC but do not decode (a bug or a forged CRC). */
  public static final class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
      super(message);
    }
  }

  /** A source over a copy of what is left here, for values decoded later (see {@link EncodedValues}). */
  ByteSource copyOfRest() {
    byte[] copy = java.util.Arrays.copyOfRange(buf, pos, end);
    return new ByteSource(copy, 0, copy.length);
  }

  byte[] array() {
    return buf;
  }

  int position() {
    return pos;
  }

  void skip(int n) {
    need(n);
    pos += n;
  }

  boolean hasRemaining() {
    return pos < end;
  }

  int remaining() {
    return end - pos;
  }

  private void need(long n) {
    if (n < 0 || n > end - pos) {
      throw new MalformedRecordException("record payload ends early: need " + n + " bytes, " + (end - pos) + " left");
    }
  }

  int getByte() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  int getInt() {
    need(4);
    int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
        | (buf[pos + 3] & 0xFF);
    pos += 4;
    return v;
  }

  long getLong() {
    return ((long) getInt() << 32) | (getInt() & 0xFFFF_FFFFL);
  }

  long getVarLong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = getByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new MalformedRecordException("varint longer than 10 bytes");
  }

  int getLength() {
    long n = getVarLong();
    need(n);
    return (int) n;
  }

  byte[] getBytes() {
    int n = getLength();
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  String getString() {
    int n = getLength();
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }
}
