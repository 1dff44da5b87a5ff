package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.Header;
import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.model.Gtid;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads record frames of one segment file in order, checking each CRC. It does not decide whether
 * a bad frame is a torn tail or corruption: it reports {@link Status#INCOMPLETE} or
 * {@link Status#BAD} and the caller, knowing whether the segment is open, decides. A frame whose
 * checksum is right but whose type, flags or GTID are impossible is {@link Status#INVALID}: no
 * torn write explains it, so it is corruption even at the end of an open segment. Not
 * thread-safe; reuses its buffers from record to record.
 */
final class FrameReader implements Closeable {
  /**
   * What {@link #next} found. BAD: an impossible length or a checksum mismatch (a torn write at
   * the end of an open segment, else corruption); INVALID: a checksummed frame that breaks the
   * format (always corruption).
   */
  enum Status { RECORD, END, INCOMPLETE, BAD, INVALID }

  private static final int WINDOW = 256 << 10;

  final Path path;
  final Header header;
  private final FileChannel channel;
  private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
  private long windowStart;
  private final byte[] lengthField = new byte[4];
  private final ByteSink body = new ByteSink(WINDOW);
  private final ByteSink payload = new ByteSink(WINDOW);

  /** Offset of the next frame to read; after RECORD, of the frame after the current one. */
  long offset;
  long recordOffset;
  RecordType type;
  Gtid gtid;
  int flags;
  int bodyLength;
  /** The current record's stored (and verified) CRC32C. */
  int crc;
  String problem;

  private FrameReader(Path path, FileChannel channel, Header header) {
    this.path = path;
    this.channel = channel;
    this.header = header;
    this.offset = SegmentFormat.HEADER_LENGTH;
    window.limit(0);
  }

  /**
   * Opens a segment and checks its header and journal UUID. Returns empty if the file holds less
   * than a header and {@code mayBeShort} (an open segment just being created).
   *
   * @throws JournalCorruptionException for a bad header
   * @throws JournalMismatchException for another journal's segment
   */
  static Optional<FrameReader> open(Path path, long segment, UUID journalId, boolean mayBeShort) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      ByteBuffer b = ByteBuffer.allocate(SegmentFormat.HEADER_LENGTH);
      while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
        // keep reading
      }
      if (b.hasRemaining() && mayBeShort) {
        channel.close();
        return Optional.empty();
      }
      Header header = checkHeader(path, segment, journalId, b.flip());
      return Optional.of(new FrameReader(path, channel, header));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static Header checkHeader(Path path, long segment, UUID journalId, ByteBuffer b) throws IOException {
    Header header;
    try {
      header = SegmentFormat.decodeHeader(b);
    } catch (SegmentFormat.HeaderException e) {
      throw new JournalCorruptionException(path, e.offset, e.getMessage());
    }
    if (!header.journalId().equals(journalId)) {
      throw new JournalMismatchException(path, journalId, header.journalId());
    }
    if (header.segment() != segment) {
      throw new JournalCorruptionException(path, 32, "header says segment " + header.segment()
          + ", the file name says " + segment);
    }
    return header;
  }

  long segment() {
    return header.segment();
  }

  long size() throws IOException {
    return channel.size();
  }

  /** Moves to {@code position} (0 meaning the first record). */
  void seek(long position) {
    offset = Math.max(position, SegmentFormat.HEADER_LENGTH);
  }

  /** Reads the frame at {@link #offset}, using bytes below {@code limit} only. */
  Status next(long limit) throws IOException {
    recordOffset = offset;
    if (offset >= limit) {
      return Status.END;
    }
    if (offset + SegmentFormat.FRAME_PREFIX > limit) {
      return incomplete(limit);
    }
    ByteBuffer prefix = fill(offset, SegmentFormat.FRAME_PREFIX);
    int length = prefix.getInt();
    int storedCrc = prefix.getInt();
    if (length < SegmentFormat.BODY_HEADER || length > SegmentFormat.MAX_BODY) {
      return bad("impossible record length " + length);
    }
    if (offset + SegmentFormat.FRAME_PREFIX + length > limit) {
      return incomplete(limit);
    }
    readBody(offset + SegmentFormat.FRAME_PREFIX, length);
    ByteBuffer.wrap(lengthField).putInt(0, length);
    int actualCrc = SegmentFormat.crc(lengthField, body.array(), length);
    if (actualCrc != storedCrc) {
      return bad("record checksum mismatch: expected " + SegmentFormat.hex(storedCrc) + ", actual "
          + SegmentFormat.hex(actualCrc));
    }
    crc = storedCrc;
    return parseBodyHeader(length);
  }

  private Status parseBodyHeader(int length) {
    ByteBuffer b = ByteBuffer.wrap(body.array(), 0, length);
    int code = b.get();
    type = RecordType.of(code);
    flags = b.get();
    long domain = b.getInt() & Gtid.MAX_UINT32;
    long server = b.getInt() & Gtid.MAX_UINT32;
    long seq = b.getLong();
    bodyLength = length;
    Optional<String> problem = SegmentFormat.bodyHeaderProblem(code, flags, seq, length, header.version());
    if (problem.isPresent()) {
      return invalid(problem.get());
    }
    gtid = new Gtid(domain, server, seq);
    offset = recordOffset + SegmentFormat.FRAME_PREFIX + length;
    return Status.RECORD;
  }

  private Status incomplete(long limit) {
    problem = "record runs past the end of the data at " + limit;
    return Status.INCOMPLETE;
  }

  private Status bad(String message) {
    problem = message;
    return Status.BAD;
  }

  private Status invalid(String message) {
    type = null;
    gtid = null;
    problem = message;
    return Status.INVALID;
  }

  /** After {@link Status#INVALID}: moves past that frame (its length was checksummed), for a verifier. */
  void skipInvalid() {
    offset = recordOffset + SegmentFormat.FRAME_PREFIX + bodyLength;
  }

  /** Whether the current record belongs to a streamed transaction ({@link SegmentFormat#FLAG_STREAMED}). */
  boolean streamed() {
    return (flags & SegmentFormat.FLAG_STREAMED) != 0;
  }

  /**
   * The current record's payload, decompressed if needed. Valid until the next call.
   *
   * @throws ByteSource.MalformedRecordException if a compressed payload's length is impossible or
   *     it does not decompress to that length
   */
  ByteSource payload() {
    if ((flags & SegmentFormat.FLAG_ZSTD) != 0) {
      int n = SegmentFormat.decompress(body.array(), bodyLength, payload);
      return new ByteSource(payload.array(), 0, n);
    }
    return new ByteSource(body.array(), SegmentFormat.BODY_HEADER, bodyLength - SegmentFormat.BODY_HEADER);
  }

  /** A corruption exception for the current record. */
  JournalCorruptionException corruption(String message) {
    String at = gtid != null && type != null && offset > recordOffset ? " (record " + type + " " + gtid + ")" : "";
    return new JournalCorruptionException(path, recordOffset, message + at);
  }

  private ByteBuffer fill(long position, int n) throws IOException {
    long windowEnd = windowStart + window.limit();
    if (position < windowStart || position + n > windowEnd) {
      window.clear();
      windowStart = position;
      while (window.position() < n) {
        if (channel.read(window, windowStart + window.position()) < 0) {
          throw new EOFException(path + ": unexpected end of file at " + (windowStart + window.position()));
        }
      }
      window.flip();
    }
    return window.duplicate().position((int) (position - windowStart));
  }

  private void readBody(long position, int length) throws IOException {
    body.clear();
    body.ensure(length);
    if (length <= WINDOW) {
      fill(position, length).get(body.array(), 0, length);
      return;
    }
    ByteBuffer target = ByteBuffer.wrap(body.array(), 0, length);
    while (target.hasRemaining()) {
      if (channel.read(target, position + target.position()) < 0) {
        throw new EOFException(path + ": unexpected end of file at " + (position + target.position()));
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
