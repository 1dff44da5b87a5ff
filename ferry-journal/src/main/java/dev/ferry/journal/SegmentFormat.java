package dev.ferry.journal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.model.Gtid;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The byte format of a segment file, version 4. {@code docs/journal-format.md} is the reference;
 * this class is the only code that knows the layout. Every change to it bumps {@link #VERSION}.
 *
 * <pre>
 * segment file = header, record*
 *
 * header (72 bytes, big-endian)              record frame
 * +------+----+-------------------------+    +------+----+--------------------------------+
 * | 0    |  8 | magic "FERRYJNL"        |    | 0    |  4 | body length L (int32)          |
 * | 8    |  2 | format version (4)      |    | 4    |  4 | CRC32C of bytes 0..3 and body  |
 * | 10   |  2 | header length (72)      |    | 8    |  1 | record type (TX, CHUNK, ...)   |
 * | 12   |  4 | reserved, 0             |    | 9    |  1 | flags: bit 0 = zstd payload,   |
 * |      |    |                         |    |      |    |  bit 1 = streamed (version 4) |
 * | 16   | 16 | journal UUID            |    | 10   |  4 | GTID domain                    |
 * | 32   |  8 | segment number          |    | 14   |  4 | GTID server id                 |
 * | 40   |  4 | first GTID domain       |    | 18   |  8 | GTID sequence                  |
 * | 44   |  4 | first GTID server id    |    | 26   |  * | payload (zstd: int32 raw length|
 * | 48   |  8 | first GTID sequence     |    |      |    |  then one zstd frame)          |
 * | 56   |  8 | retain-from segment     |    +------+----+--------------------------------+
 * | 64   |  4 | reserved, 0             |    L counts bytes 8.. (type to end of payload)
 * | 68   |  4 | CRC32C of bytes 0..67   |
 * +------+----+-------------------------+
 * </pre>
 *
 * <p>Thread-safe: stateless apart from per-thread scratch buffers.
 */
final class SegmentFormat {
  static final byte[] MAGIC = "FERRYJNL".getBytes(StandardCharsets.US_ASCII);
  static final short VERSION = 4;
  /**
   * The oldest version this code reads. Version 1 lacks only change kind 8; versions 1 and 2 store
   * no logical column type (derived when read) and a source position as kind and value only;
   * versions 1 to 3 have no streamed records ({@link #FLAG_STREAMED}).
   */
  static final short OLDEST_READABLE = 1;
  static final int HEADER_LENGTH = 72;
  static final int FRAME_PREFIX = 8;
  static final int BODY_HEADER = 18;
  /** A record body larger than this is corruption, not data. */
  static final int MAX_BODY = 512 << 20;
  /** The largest payload before compression; the writer refuses more, a reader calls more corruption. */
  static final int MAX_PAYLOAD = MAX_BODY - BODY_HEADER;
  /**
   * zstd writes at most 128 KiB of output per block, and a block takes at least 4 bytes (a 3-byte
   * header and one byte of an RLE block), so a compressed payload of n bytes never decompresses to
   * more than about n / 4 blocks of 128 KiB. Checking the claimed length against this before
   * allocating keeps a forged 100-byte record from asking for 500 MiB.
   */
  private static final int ZSTD_MAX_BLOCK = 128 << 10;
  static final int COMPRESS_ABOVE = 256;
  static final int FLAG_ZSTD = 1;
  /**
   * Version 4: a streamed transaction's record. On a CHUNK or ABORT the GTID field holds the
   * transaction's stream key (its GTID is not known before it commits); on a COMMIT the payload
   * ends with that key and the change ranges its rolled-back subtransactions dropped.
   */
  static final int FLAG_STREAMED = 2;
  /** The first version that knows {@link #FLAG_STREAMED}. */
  static final int STREAMED_SINCE = 4;
  // zstd's fast level 5: about half the CPU of level 1 for 10-20 % less saving. The journal sits on
  // the commit path, where CPU counts; bytes on disk and on the wire still shrink by about a third.
  private static final int ZSTD_LEVEL = -5;
  // A zstd context holds about a megabyte of tables; making one per record cost more than the
  // compression itself. One per thread, reused (appending threads compress, readers decompress).
  private static final ThreadLocal<ZstdCompressCtx> COMPRESSOR = ThreadLocal.withInitial(() -> {
    ZstdCompressCtx ctx = new ZstdCompressCtx();
    ctx.setLevel(ZSTD_LEVEL);
    return ctx;
  });
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSOR = ThreadLocal.withInitial(ZstdDecompressCtx::new);

  private SegmentFormat() {
  }

  /** The record types. The code is stored: never renumber. */
  enum RecordType {
    /** A whole transaction. */
    TX(1),
    /** Part of a large transaction, delivered only once its COMMIT is read. */
    CHUNK(2),
    /** The end of a chunked transaction: it committed. */
    COMMIT(3),
    /** The end of a chunked transaction: it rolled back; drop its chunks. */
    ABORT(4);

    final int code;

    RecordType(int code) {
      this.code = code;
    }

    private static final RecordType[] BY_CODE = values(); // values() copies the array on every call

    static RecordType of(int code) {
      return code >= 1 && code <= 4 ? BY_CODE[code - 1] : null;
    }
  }

  /**
   * A segment's header. {@code firstGtid} is the GTID of its first record; {@code version} the
   * format its records are in (every record of a segment is in its header's version).
   */
  record Header(UUID journalId, long segment, Gtid firstGtid, long retainFrom, int version) {
    Header(UUID journalId, long segment, Gtid firstGtid, long retainFrom) {
      this(journalId, segment, firstGtid, retainFrom, VERSION);
    }
  }

  static ByteBuffer encodeHeader(Header header) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH);
    b.put(MAGIC).putShort((short) header.version()).putShort((short) HEADER_LENGTH).putInt(0);
    b.putLong(header.journalId().getMostSignificantBits()).putLong(header.journalId().getLeastSignificantBits());
    b.putLong(header.segment());
    putGtid(b, header.firstGtid());
    b.putLong(header.retainFrom()).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_LENGTH - 4);
    b.putInt((int) crc.getValue());
    return b.flip();
  }

  /** Parses a header; the message of the exception says what is wrong (the caller adds the path). */
  static Header decodeHeader(ByteBuffer b) throws HeaderException {
    if (b.remaining() < HEADER_LENGTH) {
      throw new HeaderException(0, "header is " + b.remaining() + " bytes, expected " + HEADER_LENGTH);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), b.arrayOffset() + b.position(), HEADER_LENGTH - 4);
    int stored = b.getInt(b.position() + HEADER_LENGTH - 4);
    if (stored != (int) crc.getValue()) {
      throw new HeaderException(0, "header checksum mismatch: expected " + hex(stored) + ", actual "
          + hex((int) crc.getValue()));
    }
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new HeaderException(0, "not a Ferry journal segment (bad magic)");
    }
    short version = b.getShort();
    if (version < OLDEST_READABLE || version > VERSION) {
      throw new HeaderException(8, "format version " + version + ", this Ferry reads versions "
          + OLDEST_READABLE + " to " + VERSION);
    }
    b.getShort();
    b.getInt();
    UUID id = new UUID(b.getLong(), b.getLong());
    long segment = b.getLong();
    Gtid first = getGtid(b);
    long retainFrom = b.getLong();
    b.getInt();
    b.getInt();
    return new Header(id, segment, first, retainFrom, version);
  }

  /** A header that does not parse; {@code offset} is where in the header the problem is. */
  static final class HeaderException extends Exception {
    final long offset;

    HeaderException(long offset, String message) {
      super(message);
      this.offset = offset;
    }
  }

  static void putGtid(ByteBuffer b, Gtid gtid) {
    b.putInt((int) gtid.domain()).putInt((int) gtid.serverId()).putLong(gtid.seq());
  }

  static Gtid getGtid(ByteBuffer b) {
    return new Gtid(b.getInt() & Gtid.MAX_UINT32, b.getInt() & Gtid.MAX_UINT32, b.getLong());
  }

  static String hex(int crc) {
    return String.format("%08x", crc);
  }

  /**
   * Builds a complete frame around a payload: prefix, body header, payload (compressed when that
   * pays). Returns a new array of exactly the frame's length.
   */
  static byte[] frame(RecordType type, Gtid gtid, ByteSink payload, ByteSink scratch) {
    return frame(type, 0, gtid, payload, scratch);
  }

  /** As {@link #frame(RecordType, Gtid, ByteSink, ByteSink)}, with {@code extraFlags} (0 or {@link #FLAG_STREAMED}) set. */
  static byte[] frame(RecordType type, int extraFlags, Gtid gtid, ByteSink payload, ByteSink scratch) {
    byte[] src = payload.array();
    int rawLength = payload.size();
    if (rawLength > MAX_PAYLOAD) {
      throw new IllegalArgumentException("journal record for " + gtid + " holds " + rawLength
          + " bytes before compression, more than the limit " + MAX_PAYLOAD + "; write it in chunks");
    }
    int flags = extraFlags;
    byte[] body = src;
    int bodyLength = rawLength;
    if (rawLength >= COMPRESS_ABOVE) {
      int bound = (int) Zstd.compressBound(rawLength);
      scratch.clear();
      scratch.ensure(bound + 4);
      long n = compress(scratch.array(), 4, bound, src, rawLength);
      if (n > 0 && n + 4 < rawLength) {
        scratch.putIntAt(0, rawLength);
        flags |= FLAG_ZSTD;
        body = scratch.array();
        bodyLength = (int) n + 4;
      }
    }
    int length = BODY_HEADER + bodyLength;
    if (length > MAX_BODY) {
      throw new IllegalArgumentException("journal record for " + gtid + " is " + length
          + " bytes after compression, more than the limit " + MAX_BODY + "; write it in chunks");
    }
    byte[] frame = new byte[FRAME_PREFIX + length];
    ByteBuffer b = ByteBuffer.wrap(frame);
    b.putInt(length).putInt(0).put((byte) type.code).put((byte) flags);
    putGtid(b, gtid);
    b.put(body, 0, bodyLength);
    b.putInt(4, crc(frame, length));
    return frame;
  }

  /** The CRC of a frame: its length field and its body (everything but the CRC field itself). */
  static int crc(byte[] frame, int bodyLength) {
    return crc(frame, 0, bodyLength);
  }

  /** The CRC of the frame that starts at {@code start} in {@code bytes}. */
  static int crc(byte[] bytes, int start, int bodyLength) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, 4);
    crc.update(bytes, start + FRAME_PREFIX, bodyLength);
    return (int) crc.getValue();
  }

  /**
   * What makes a checksummed body header impossible (unknown type or flags, a negative GTID
   * sequence, a compressed body too short for its length field), if anything: such a frame is
   * corruption wherever it is, since no torn write explains it.
   */
  static Optional<String> bodyHeaderProblem(int code, int flags, long seq, int length, int version) {
    RecordType type = RecordType.of(code);
    if (type == null) {
      return Optional.of("unknown record type " + code + " (this Ferry knows 1 to 4)");
    }
    int known = version >= STREAMED_SINCE && type != RecordType.TX ? FLAG_ZSTD | FLAG_STREAMED : FLAG_ZSTD;
    if ((flags & ~known) != 0) {
      return Optional.of(type + " record has unknown flags " + flags);
    }
    if (seq < 0) {
      return Optional.of(type + " record has a negative GTID sequence " + seq);
    }
    if ((flags & FLAG_ZSTD) != 0 && length < BODY_HEADER + 4) {
      return Optional.of(type + " record is compressed but has no room for its uncompressed length");
    }
    return Optional.empty();
  }

  /** The CRC of a frame read as a 4-byte length field plus a body held apart. */
  static int crc(byte[] lengthField, byte[] body, int bodyLength) {
    CRC32C crc = new CRC32C();
    crc.update(lengthField, 0, 4);
    crc.update(body, 0, bodyLength);
    return (int) crc.getValue();
  }

  /**
   * The most bytes {@code compressed} bytes of zstd can decompress to, capped by the format's
   * payload limit.
   */
  static long maxDecompressed(int compressed) {
    return Math.min(MAX_PAYLOAD, ((long) compressed / 4 + 1) * ZSTD_MAX_BLOCK);
  }

  /**
   * Decompresses a zstd payload of a body into {@code out}; returns its length. The claimed length
   * is checked against the format's limit and what the compressed bytes can hold before anything
   * is allocated.
   */
  static int decompress(byte[] body, int bodyLength, ByteSink out) {
    int raw = ByteBuffer.wrap(body, BODY_HEADER, 4).getInt();
    int compressed = bodyLength - BODY_HEADER - 4;
    if (raw < 0 || raw > maxDecompressed(compressed)) {
      throw new ByteSource.MalformedRecordException("compressed payload of " + compressed + " bytes claims "
          + Integer.toUnsignedString(raw) + " bytes uncompressed; at most " + maxDecompressed(compressed)
          + " are possible (format limit " + MAX_PAYLOAD + ")");
    }
    out.clear();
    out.ensure(raw);
    int n;
    try {
      n = DECOMPRESSOR.get().decompressByteArray(out.array(), 0, raw, body, BODY_HEADER + 4,
          bodyLength - BODY_HEADER - 4);
    } catch (ZstdException e) {
      throw new ByteSource.MalformedRecordException("zstd payload does not decompress to " + raw + " bytes: "
          + e.getMessage());
    }
    if (n != raw) {
      throw new ByteSource.MalformedRecordException("zstd payload does not decompress to " + raw + " bytes: " + n
          + " bytes");
    }
    return raw;
  }

  /** Compresses into {@code dst}; returns the compressed length, or -1 if it does not fit. */
  private static long compress(byte[] dst, int offset, int capacity, byte[] src, int length) {
    try {
      return COMPRESSOR.get().compressByteArray(dst, offset, capacity, src, 0, length);
    } catch (ZstdException e) {
      return -1;
    }
  }
}
