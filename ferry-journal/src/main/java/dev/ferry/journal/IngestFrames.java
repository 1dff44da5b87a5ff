package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.model.Gtid;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Record frames offered to a {@link JournalIngest}, checked as {@link FrameReader} checks a file's
 * (length, CRC32C, body header) but at the frame level only: the payload is not decoded, so
 * ingest does not depend on the change format. Not thread-safe; immutable once parsed.
 */
final class IngestFrames {
  /**
   * One whole frame.
   *
   * @param offset its offset in the segment
   * @param start where it starts in the offered bytes
   * @param length its length, prefix included
   * @param streamed whether it is a streamed transaction's record ({@link SegmentFormat#FLAG_STREAMED})
   */
  record Frame(long offset, RecordType type, Gtid gtid, int start, int length, boolean streamed) {
    long end() {
      return offset + length;
    }
  }

  private final Path dir;
  private final long segment;

  IngestFrames(Path dir, long segment) {
    this.dir = dir;
    this.segment = segment;
  }

  IngestRefusedException refuse(long offset, Optional<Gtid> gtid, String reason) {
    return new IngestRefusedException(dir, segment, offset, gtid, reason);
  }

  /**
   * Parses {@code bytes[from..]} as whole frames, the first at {@code segmentOffset} in the
   * segment.
   *
   * @throws IngestRefusedException naming the first frame that is cut off or not valid
   */
  List<Frame> parse(byte[] bytes, int from, long segmentOffset) throws IngestRefusedException {
    List<Frame> frames = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int at = from;
    while (at < bytes.length) {
      long offset = segmentOffset + (at - from);
      if (bytes.length - at < SegmentFormat.FRAME_PREFIX) {
        throw refuse(offset, Optional.empty(), "a record frame is cut off: " + (bytes.length - at)
            + " bytes are left, less than its " + SegmentFormat.FRAME_PREFIX + "-byte prefix");
      }
      int length = b.getInt(at);
      if (length < SegmentFormat.BODY_HEADER || length > SegmentFormat.MAX_BODY) {
        throw refuse(offset, Optional.empty(), "impossible record length " + length);
      }
      if (bytes.length - at - SegmentFormat.FRAME_PREFIX < length) {
        throw refuse(offset, Optional.empty(), "a record frame is cut off: its body is " + length + " bytes, "
            + (bytes.length - at - SegmentFormat.FRAME_PREFIX) + " are offered");
      }
      frames.add(frame(b, at, length, offset));
      at += SegmentFormat.FRAME_PREFIX + length;
    }
    return frames;
  }

  private Frame frame(ByteBuffer b, int at, int length, long offset) throws IngestRefusedException {
    int code = b.get(at + 8);
    int flags = b.get(at + 9);
    long domain = b.getInt(at + 10) & Gtid.MAX_UINT32;
    long server = b.getInt(at + 14) & Gtid.MAX_UINT32;
    long seq = b.getLong(at + 18);
    Optional<Gtid> claimed = seq < 0 ? Optional.empty() : Optional.of(new Gtid(domain, server, seq));
    int stored = b.getInt(at + 4);
    int actual = SegmentFormat.crc(b.array(), at, length);
    if (actual != stored) {
      throw refuse(offset, claimed, "record checksum mismatch: expected " + SegmentFormat.hex(stored)
          + ", actual " + SegmentFormat.hex(actual) + " (the GTID is as read, unverified)");
    }
    Optional<String> problem = SegmentFormat.bodyHeaderProblem(code, flags, seq, length, SegmentFormat.VERSION);
    if (problem.isPresent()) {
      throw refuse(offset, claimed, problem.get());
    }
    return new Frame(offset, RecordType.of(code), claimed.orElseThrow(), at, SegmentFormat.FRAME_PREFIX + length,
        (flags & SegmentFormat.FLAG_STREAMED) != 0);
  }

  /**
   * The payload of frame {@code f} of {@code bytes} (decompressed if needed), read as the current
   * format (formats 1 and 2 wrote no source GTID, so a record of theirs never declares one).
   *
   * @throws ByteSource.MalformedRecordException if a compressed payload does not decompress
   */
  static ByteSource payload(byte[] bytes, Frame f) {
    int body = f.start() + SegmentFormat.FRAME_PREFIX;
    int bodyLength = f.length() - SegmentFormat.FRAME_PREFIX;
    if ((bytes[body + 1] & SegmentFormat.FLAG_ZSTD) != 0) {
      ByteSink out = new ByteSink(bodyLength * 4);
      int n = SegmentFormat.decompress(java.util.Arrays.copyOfRange(bytes, body, body + bodyLength), bodyLength, out);
      return new ByteSource(out.array(), 0, n);
    }
    return new ByteSource(bytes, body + SegmentFormat.BODY_HEADER, bodyLength - SegmentFormat.BODY_HEADER);
  }

  /** The GTID in the frame header at {@code at} in {@code bytes}, if the bytes hold one. */
  static Optional<Gtid> gtidAt(byte[] bytes, int at) {
    if (at < 0 || bytes.length - at < SegmentFormat.FRAME_PREFIX + SegmentFormat.BODY_HEADER) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long seq = b.getLong(at + 18);
    return seq < 0 ? Optional.empty()
        : Optional.of(new Gtid(b.getInt(at + 10) & Gtid.MAX_UINT32, b.getInt(at + 14) & Gtid.MAX_UINT32, seq));
  }
}
