package dev.ferry.transport.push;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte format of the push link, version 3: the only code that knows it. Every change bumps
 * {@link #VERSION}; {@code docs/transports.md} is the reference.
 *
 * <pre>
 * frame (big-endian)
 * +-------+------+----------------------------------------------+
 * | 0     | 4    | magic "FPSH"                                 |
 * | 4     | 1    | version (3)                                  |
 * | 5     | 1    | type ({@link Type})                          |
 * | 6     | 2    | header check: low 16 bits of the CRC32C of   |
 * |       |      | bytes 0..5 and 8..11                         |
 * | 8     | 4    | payload length N (int32, 0..the reader's cap) |
 * | 12    | N    | payload                                      |
 * | 12+N  | 4    | CRC32C of bytes 0..11+N (header and payload) |
 * +-------+------+----------------------------------------------+
 * </pre>
 *
 * A reader checks magic, version, the header check, type and the length against its cap (and a
 * type's fixed payload size) before it allocates anything, then the CRC. The header check (new in
 * version 2) refuses a corrupted length at once: version 1 could only find it by the frame's CRC,
 * after reading as many bytes as the bad length claimed (up to the cap), while the peer's
 * heartbeats kept the link looking alive. Version 3 adds the comparison of the copy's newest
 * segment to the handshake (COMPARE, CHECK, CHECKED). Any violation is a
 * {@link PushProtocolException} naming the peer, the frame's offset in the stream and what was
 * expected; the caller closes the connection.
 *
 * <p>Stateless apart from the instance's stream offset; one reader per connection, not thread-safe.
 */
final class PushFrames {
  static final byte[] MAGIC = {'F', 'P', 'S', 'H'};
  static final int VERSION = 3;
  static final int HEADER = 12;
  static final int TRAILER = 4;
  /** The cap before the peer has authenticated: handshake frames are small. */
  static final int HANDSHAKE_CAP = 4096;

  /** Frame types. The code is sent: never renumber. */
  enum Type {
    /** supplier → receiver: protocol greeting, the supplier's 32-byte nonce. */
    HELLO(1, 32),
    /** receiver → supplier: the receiver's 32-byte nonce and its 32-byte proof of the secret. */
    CHALLENGE(2, 64),
    /** supplier → receiver: its 32-byte proof, the primary journal's UUID (16), the sync level (1). */
    AUTH(3, 49),
    /** receiver → supplier: copy exists (1), copy end segment/offset (16), applied segment/offset (16). */
    STATE(4, 33),
    /** supplier → receiver: segment (8), offset (8), whole record frames of the journal. */
    DATA(5, -1),
    /** supplier → receiver: segment (8), record count (8): the primary sealed that segment. */
    SEAL(6, 16),
    /** receiver → supplier: durable end of the copy (16), applied position (16; 0/0 when none). */
    ACK(7, 32),
    /** either way, when nothing else was sent for a heartbeat interval. */
    HEARTBEAT(8, 0),
    /** either way, before closing: a UTF-8 message. */
    ERROR(9, -1),
    /**
     * receiver → supplier, right after STATE: the segment (8) the copy holds last and how many of its
     * bytes (8), for the supplier to show its own; segment 0: nothing to compare.
     */
    COMPARE(10, 16),
    /** supplier → receiver: segment (8), offset (8), the supplier's bytes of the compared segment there. */
    CHECK(11, -1),
    /** supplier → receiver: segment (8), bytes of it sent (8), 1 when it no longer holds it (1). */
    CHECKED(12, 17);

    final int code;
    /** The payload size, or -1 when it varies. */
    final int size;

    Type(int code, int size) {
      this.code = code;
      this.size = size;
    }

    static Type of(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  /** One frame read: its type and payload. */
  record Frame(Type type, byte[] payload) {
    ByteBuffer buffer() {
      return ByteBuffer.wrap(payload);
    }
  }

  private final InputStream in;
  private final String peer;
  private long offset;

  PushFrames(InputStream in, String peer) {
    this.in = in;
    this.peer = peer;
  }

  /** The whole frame for {@code type} with {@code payload}, CRC included. */
  static byte[] encode(Type type, byte[] payload) {
    if (type.size >= 0 && payload.length != type.size) {
      throw new IllegalArgumentException(type + " carries " + type.size + " bytes, not " + payload.length);
    }
    ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length + TRAILER);
    b.put(MAGIC).put((byte) VERSION).put((byte) type.code).putShort((short) 0).putInt(payload.length);
    b.putShort(6, headerCheck(b.array())).put(payload);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER + payload.length);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  static void write(OutputStream out, Type type, byte[] payload) throws IOException {
    out.write(encode(type, payload));
  }

  /**
   * Writes the frame for {@code type} whose payload is {@code head} followed by {@code body}, the
   * same bytes as {@link #encode} of the two joined, without joining them: a DATA frame's journal
   * bytes go to {@code out} from the array they were read into.
   */
  static void write(OutputStream out, Type type, byte[] head, byte[] body) throws IOException {
    int length = Math.addExact(head.length, body.length);
    if (type.size >= 0 && length != type.size) {
      throw new IllegalArgumentException(type + " carries " + type.size + " bytes, not " + length);
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER + head.length);
    h.put(MAGIC).put((byte) VERSION).put((byte) type.code).putShort((short) 0).putInt(length);
    h.putShort(6, headerCheck(h.array())).put(head);
    CRC32C crc = new CRC32C();
    crc.update(h.array());
    crc.update(body);
    out.write(h.array());
    out.write(body);
    out.write(ByteBuffer.allocate(TRAILER).putInt((int) crc.getValue()).array());
  }

  /**
   * Reads the next frame, refusing a payload longer than {@code cap} before allocating it.
   *
   * @throws EOFException when the stream ends at a frame boundary (the peer closed)
   * @throws PushProtocolException when the stream ends inside a frame or the frame is invalid
   */
  Frame read(int cap) throws IOException {
    long at = offset;
    byte[] header = new byte[HEADER];
    int first = in.read(header, 0, 1);
    if (first < 0) {
      throw new EOFException("[push " + peer + "] connection closed at byte " + at);
    }
    readFully(header, 1, HEADER - 1, at);
    ByteBuffer h = ByteBuffer.wrap(header);
    for (int i = 0; i < MAGIC.length; i++) {
      if (header[i] != MAGIC[i]) {
        throw bad(at, "bad magic " + hex(header, 4) + ", expected " + hex(MAGIC, 4) + " (not a Ferry push peer?)");
      }
    }
    int version = header[4] & 0xFF;
    if (version != VERSION) {
      throw bad(at, "protocol version " + version + ", this node speaks " + VERSION);
    }
    short check = headerCheck(header);
    if (h.getShort(6) != check) {
      throw bad(at, "header check " + hex16(h.getShort(6)) + ", computed " + hex16(check) + " (corrupted in transit)");
    }
    Type type = Type.of(header[5] & 0xFF);
    if (type == null) {
      throw bad(at, "unknown frame type " + (header[5] & 0xFF));
    }
    int length = h.getInt(8);
    if (length < 0 || length > cap) {
      throw bad(at, type + " frame claims " + Integer.toUnsignedString(length) + " payload bytes, the limit is "
          + cap);
    }
    if (type.size >= 0 && length != type.size) {
      throw bad(at, type + " frame claims " + length + " payload bytes, it always carries " + type.size);
    }
    byte[] payload = new byte[length];
    readFully(payload, 0, length, at);
    byte[] trailer = new byte[TRAILER];
    readFully(trailer, 0, TRAILER, at);
    CRC32C crc = new CRC32C();
    crc.update(header);
    crc.update(payload);
    int expected = (int) crc.getValue();
    int actual = ByteBuffer.wrap(trailer).getInt();
    if (expected != actual) {
      throw bad(at, type + " frame of " + length + " bytes has CRC32C " + Integer.toHexString(actual)
          + ", computed " + Integer.toHexString(expected) + " (corrupted in transit)");
    }
    offset += HEADER + length + TRAILER;
    return new Frame(type, payload);
  }

  /** The low 16 bits of the CRC32C of a header's bytes 0..5 and 8..11 (all but the check itself). */
  static short headerCheck(byte[] header) {
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 6);
    crc.update(header, 8, 4);
    return (short) crc.getValue();
  }

  private static String hex16(short v) {
    return String.format("%04x", v & 0xFFFF);
  }

  private void readFully(byte[] b, int from, int n, long frameAt) throws IOException {
    int done = 0;
    while (done < n) {
      int r = in.read(b, from + done, n - done);
      if (r < 0) {
        throw bad(frameAt, "connection closed inside a frame (" + (from + done) + " bytes of a part read)");
      }
      done += r;
    }
  }

  private PushProtocolException bad(long at, String message) {
    return new PushProtocolException("[push " + peer + "] frame at byte " + at + ": " + message, at);
  }

  private static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(String.format("%02x", b[i] & 0xFF));
    }
    return s.toString();
  }
}
