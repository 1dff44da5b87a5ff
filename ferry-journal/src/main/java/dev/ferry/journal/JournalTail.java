package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A journal's durable bytes as a transport ships them, from any position, in whole records: a
 * sealed segment's and the open segment's up to what the writer has fsynced (never a byte that a
 * crash could still take back). What is read is byte-identical to the segment files, so a copy
 * built from it ({@link JournalIngest#appendRecords}, {@link JournalIngest#seal}) has the same
 * positions and, once sealed, the same bytes. Obtained from {@link Journal#tail()}, in the writer's
 * process, where the writer says how far the open segment is durable.
 *
 * <p>Thread-safe: stateless but for the journal it reads.
 */
public final class JournalTail {
  private final Path dir;
  private final TailWatch watch;

  JournalTail(Path dir, TailWatch watch) {
    this.dir = dir;
    this.watch = watch;
  }

  /**
   * A stretch of segment {@code segment} from {@code offset}: whole record frames (with the
   * segment header when {@code offset} is 0), and, when it reaches the end of a sealed segment, the
   * segment's record count, so the copy can seal its own.
   *
   * @param bytes the bytes; empty when {@code offset} is already the sealed segment's end
   * @param sealedRecords present when the segment is sealed and {@code bytes} reach its end
   */
  public record Chunk(long segment, long offset, byte[] bytes, OptionalLong sealedRecords) {
    public Chunk {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(sealedRecords, "sealedRecords");
    }

    /** Where the next read continues: after these bytes, or the next segment's start after a seal. */
    public JournalPosition next() {
      return sealedRecords.isPresent() ? JournalPosition.startOf(segment + 1)
          : new JournalPosition(segment, offset + bytes.length);
    }
  }

  /** A counter that changes whenever the journal grows durably or a segment is sealed; see {@link #await}. */
  public long version() {
    return watch.version();
  }

  /** Waits until {@link #version()} differs from {@code seen} or {@code timeout} passes. */
  public void await(long seen, Duration timeout) throws InterruptedException {
    watch.awaitChange(seen, timeout.toNanos());
  }

  /**
   * Reads durable whole records from {@code from}, about {@code maxBytes} of them (at least one
   * record whatever its size, at most what is durable).
   *
   * @return empty while nothing after {@code from} is durable yet
   * @throws PositionPurgedException if the segment is no longer in the journal
   * @throws JournalCorruptionException if {@code from} is not a record boundary or a frame's length is impossible
   */
  public Optional<Chunk> read(JournalPosition from, int maxBytes) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Optional<SegmentFile> file = SegmentFiles.find(dir, from.segment());
      if (file.isEmpty()) {
        if (from.segment() < nextSegmentOrZero()) {
          throw new PositionPurgedException(from, JournalInspector.purgedThrough(dir), dir.toString());
        }
        return Optional.empty();
      }
      try {
        return read(file.get(), from, maxBytes);
      } catch (NoSuchFileException e) {
        if (attempt > 0) {
          throw e;
        }
        // sealed (renamed) between finding and opening it: look again
      }
    }
  }

  private long nextSegmentOrZero() throws IOException {
    return SegmentFiles.list(dir).stream().mapToLong(SegmentFile::number).max().orElse(0);
  }

  private Optional<Chunk> read(SegmentFile file, JournalPosition from, int maxBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      long limit = file.open() ? Math.min(watch.limit(from.segment(), Long.MAX_VALUE), ch.size()) : ch.size(); // mark first
      long offset = from.offset();
      if (offset > limit || offset > 0 && offset < SegmentFormat.HEADER_LENGTH) {
        if (file.open()) {
          return Optional.empty();
        }
        throw new JournalCorruptionException(file.path(), offset, "position " + from + " is past the sealed"
            + " segment's end " + limit);
      }
      OptionalLong sealed = file.open() ? OptionalLong.empty() : OptionalLong.of(file.recordCount());
      if (offset == limit) {
        return sealed.isPresent() ? Optional.of(new Chunk(from.segment(), offset, new byte[0], sealed))
            : Optional.empty();
      }
      long start = offset == 0 ? SegmentFormat.HEADER_LENGTH : offset;
      long want = offset + Math.max(maxBytes, 1);
      // One read of what may be shipped, whose frame lengths are then walked in memory (not a read per frame).
      ByteBuffer window = ByteBuffer.allocate((int) (Math.min(limit, want) - offset));
      readFully(ch, window, offset);
      long end = wholeFrames(ch, file.path(), window, offset, start, limit, want);
      if (end == start) {
        return Optional.empty();
      }
      byte[] bytes;
      if (end - offset <= window.capacity()) {
        bytes = end - offset == window.capacity() ? window.array() : Arrays.copyOf(window.array(), (int) (end - offset));
      } else { // a first record larger than maxBytes
        bytes = new byte[(int) (end - offset)];
        readFully(ch, ByteBuffer.wrap(bytes), offset);
      }
      return Optional.of(new Chunk(from.segment(), offset, bytes, end == limit ? sealed : OptionalLong.empty()));
    }
  }

  /**
   * The end of the last whole frame from {@code start} that ends by {@code want} (or of the first
   * frame, whatever its size), within {@code limit}. Frame lengths are read from {@code window}
   * (the file's bytes from {@code offset}) where it holds them, else from the file.
   */
  private static long wholeFrames(FileChannel ch, Path path, ByteBuffer window, long offset, long start, long limit,
      long want) throws IOException {
    ByteBuffer prefix = ByteBuffer.allocate(4);
    long at = start;
    while (at + SegmentFormat.FRAME_PREFIX <= limit) {
      int body;
      if (at + SegmentFormat.FRAME_PREFIX <= offset + window.capacity()) {
        body = window.getInt((int) (at - offset));
      } else {
        prefix.clear();
        readFully(ch, prefix, at);
        body = prefix.getInt(0);
      }
      if (body < SegmentFormat.BODY_HEADER || body > SegmentFormat.MAX_BODY) {
        throw new JournalCorruptionException(path, at, "record length " + body + " is impossible");
      }
      long frameEnd = at + SegmentFormat.FRAME_PREFIX + body;
      if (frameEnd > limit || (frameEnd > want && at > start)) {
        break;
      }
      at = frameEnd;
    }
    return at;
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        throw new java.io.EOFException("unexpected end of file at " + (position + b.position()));
      }
    }
  }
}
