package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Reads committed transactions from a journal in commit-record order, following the open segment
 * as it grows.
 *
 * <p><b>Contract.</b> {@link #next} hands out a transaction only after reading its commit: a TX
 * record, or the COMMIT record of a chunked transaction. Chunks of a transaction that has not
 * committed yet, or that aborted, are skipped and never seen. A chunked transaction's changes are
 * then streamed from its chunk records (the COMMIT record points at the first chunk), so neither
 * the reader nor the consumer holds it in memory.
 *
 * <p><b>Errors.</b> A checksum failure or undecodable record in a sealed segment (or below the
 * durable end, for readers of an open {@link Journal}) throws {@link JournalCorruptionException}
 * with the path and offset; a missing segment throws {@link JournalGapException}; a purged one
 * {@link PositionPurgedException}. Errors are sticky: every later call throws the same
 * exception, so nothing after a bad record is handed out.
 *
 * <p><b>Waking up.</b> A reader obtained from {@link Journal} is signalled by the writer after
 * each fsync; one opened on a directory (another process) polls every 20 ms and treats an
 * incomplete record at the end of the open segment as "not written yet".
 *
 * <p>Not thread-safe: one thread uses a reader. Never returns null.
 */
public final class JournalReader implements AutoCloseable {
  /** How long a reader trusts its writer's counter that a missing segment is still missing. */
  private static final long RELOOK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private final SegmentLocator locator;
  private final TailWatch watch;
  private FrameReader frames;
  private long segment;
  private long startOffset;
  private IOException failure;
  /** Bytes of the current segment known readable; refreshed only when a read reaches it. */
  private long limit;
  /** Hands out what is written but not yet forced ({@link #readAheadOfFsync}). */
  private boolean ahead;
  /** When the segment to read was last found missing (-1: it was not), and the watch's counter then. */
  private long missingSince = -1;
  private long missingAtVersion;
  private long segmentLooks;

  JournalReader(SegmentLocator locator, TailWatch watch, JournalPosition start) {
    this.locator = locator;
    this.watch = watch;
    this.segment = start.segment();
    this.startOffset = start.offset();
  }

  /** A reader of the journal in {@code dir} (possibly written by another process) from {@code position}. */
  public static JournalReader openAt(Path dir, JournalPosition position) throws IOException {
    return new JournalReader(new SegmentLocator(dir, JournalIdentity.read(dir)), TailWatch.polling(dir), position);
  }

  /** A reader from the oldest segment still in {@code dir}. */
  public static JournalReader openAtOldest(Path dir) throws IOException {
    SegmentLocator locator = new SegmentLocator(dir, JournalIdentity.read(dir));
    return new JournalReader(locator, TailWatch.polling(dir), oldest(dir));
  }

  /**
   * A reader that hands out the transactions committed after {@code gtid}. Scans the journal from
   * its oldest segment to find the commit of {@code gtid} (cost grows with the journal).
   *
   * @throws IOException naming the GTID if the journal does not hold its commit
   */
  public static JournalReader openAfter(Path dir, Gtid gtid) throws IOException {
    SegmentLocator locator = new SegmentLocator(dir, JournalIdentity.read(dir));
    return new JournalReader(locator, TailWatch.polling(dir), findAfter(locator, TailWatch.POLLING, gtid));
  }

  static JournalPosition oldest(Path dir) throws IOException {
    List<SegmentFile> segments = SegmentFiles.list(dir);
    long first = segments.isEmpty() ? JournalRecovery.readPurgedThrough(dir) + 1 : segments.getFirst().number();
    return JournalPosition.startOf(first);
  }

  static JournalPosition findAfter(SegmentLocator locator, TailWatch watch, Gtid gtid) throws IOException {
    List<SegmentFile> segments = SegmentFiles.list(locator.dir);
    for (SegmentFile s : segments) {
      Optional<FrameReader> opened = locator.open(s.number(), JournalPosition.startOf(s.number()));
      if (opened.isEmpty()) {
        continue;
      }
      try (FrameReader f = opened.get()) {
        long limit = watch.limit(s.number(), f.size());
        while (f.next(limit) == Status.RECORD) {
          if ((f.type == RecordType.TX || f.type == RecordType.COMMIT) && f.gtid.equals(gtid)) {
            return new JournalPosition(s.number(), f.offset);
          }
        }
      }
    }
    throw new IOException("journal " + locator.dir + " holds no commit of " + gtid + " in segments "
        + (segments.isEmpty() ? "(none)" : segments.getFirst().number() + ".." + segments.getLast().number())
        + " (purged through " + JournalRecovery.readPurgedThrough(locator.dir) + ")");
  }

  /**
   * The next committed transaction, waiting up to {@code timeout} for one to be written
   * ({@link Duration#ZERO}: only what is there now). Empty when none arrived in time.
   */
  public Optional<JournalTransaction> next(Duration timeout) throws IOException, InterruptedException {
    if (failure != null) {
      throw failure;
    }
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    try {
      return read(deadline);
    } catch (IOException e) {
      failure = e;
      close();
      throw e;
    }
  }

  /**
   * Lets this reader hand out transactions that the writer has written to the file but not yet
   * forced, so that applying one overlaps the writer's fsync; the consumer must then commit nothing
   * that holds them before {@link #awaitDurable} returns for their position. A chunked transaction,
   * or one carrying DDL or a TRUNCATE, is still handed out only once durable: applying it may commit
   * on a target before its group does. Only a reader of an open {@link Journal} can read ahead; one
   * of another process's files reads what the file holds anyway (and cannot tell what is durable).
   */
  public JournalReader readAheadOfFsync() {
    ahead = true;
    return this;
  }

  /**
   * Waits until the journal is durable up to {@code position} (at once for a reader of another
   * process's files).
   *
   * @throws IOException when the journal's writer failed before (then it never will be)
   */
  public void awaitDurable(JournalPosition position) throws IOException, InterruptedException {
    watch.awaitDurable(position);
  }

  /** Whether the journal is durable up to {@code position} (true for a reader of another process's files). */
  public boolean durable(JournalPosition position) {
    return watch.durable(position);
  }

  /** Where the next {@link #next} call starts reading. */
  public JournalPosition position() {
    return new JournalPosition(segment, frames == null ? startOffset : frames.offset);
  }

  private Optional<JournalTransaction> read(long deadline) throws IOException, InterruptedException {
    while (true) {
      long seen = watch.version();
      if (frames == null && !lookForSegment(seen)) {
        if (!await(seen, deadline)) {
          return Optional.empty();
        }
        continue;
      }
      Status status = frames.next(limit);
      if (status != Status.RECORD) {
        // The mark first, the file's size after: a size read while the writer's write is still
        // extending the file, then capped by a mark published after it, would end inside a record.
        long mark = ahead ? watch.writtenLimit(segment, Long.MAX_VALUE) : watch.limit(segment, Long.MAX_VALUE);
        limit = Math.min(mark, frames.size());
        status = frames.next(limit);
      }
      if (status == Status.RECORD) {
        Optional<JournalTransaction> tx = decode();
        if (tx.isPresent()) {
          if (ahead && tx.get().mayCommitAlone()) {
            watch.awaitDurable(tx.get().nextPosition());
          }
          return tx;
        }
      } else if (status == Status.END) {
        if (!moveOnIfSealed() && !await(seen, deadline)) {
          return Optional.empty();
        }
      } else if (status == Status.INVALID) {
        throw frames.corruption(frames.problem);
      } else if (watch.exact() || locator.sealed(segment)) {
        if (!completedBeforeSealing()) {
          throw frames.corruption(frames.problem);
        }
      } else if (!await(seen, deadline)) {
        return Optional.empty();
      }
    }
  }

  /**
   * A polling reader may have read a record while the writer was still writing it; once the
   * segment is sealed its size is final, so one more look decides.
   */
  private boolean completedBeforeSealing() throws IOException {
    if (watch.exact() || frames.next(frames.size()) != Status.RECORD) {
      return false;
    }
    frames.seek(frames.recordOffset);
    return true;
  }

  /**
   * Opens the segment to read; false while it is missing. Once found missing it is not looked for
   * again until the writer of this process wrote something ({@code seen} moved): its files cannot
   * have changed, so an idle reader does not list the directory at every wake-up (twice, plus a look
   * for the purge mark). A reader of another process's files cannot tell, and looks every time; so
   * does this one at least once a second whatever the counter says.
   */
  private boolean lookForSegment(long seen) throws IOException {
    long now = System.nanoTime();
    if (watch.exact() && missingSince >= 0 && missingAtVersion == seen && now - missingSince < RELOOK_NANOS) {
      return false;
    }
    if (openSegment()) {
      missingSince = -1;
      return true;
    }
    missingAtVersion = seen;
    missingSince = now;
    return false;
  }

  /** How many times this reader looked for its next segment's file (for tests). */
  long segmentLooks() {
    return segmentLooks;
  }

  private boolean openSegment() throws IOException {
    segmentLooks++;
    Optional<FrameReader> opened = locator.open(segment, new JournalPosition(segment, startOffset));
    if (opened.isEmpty()) {
      return false;
    }
    frames = opened.get();
    frames.seek(startOffset);
    limit = 0;
    return true;
  }

  private boolean moveOnIfSealed() throws IOException {
    if (!locator.sealed(segment) || frames.offset < frames.size()) {
      return false;
    }
    if (frames.offset > frames.size()) {
      throw frames.corruption("position " + frames.offset + " is beyond the end of the segment at " + frames.size());
    }
    frames.close();
    frames = null;
    segment++;
    startOffset = 0;
    return true;
  }

  private boolean await(long seen, long deadline) throws InterruptedException {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      return false;
    }
    watch.awaitChange(seen, remaining);
    return true;
  }

  private Optional<JournalTransaction> decode() throws IOException {
    JournalPosition at = new JournalPosition(segment, frames.recordOffset);
    JournalPosition after = new JournalPosition(segment, frames.offset);
    try {
      return switch (frames.type) {
        case TX -> Optional.of(decodeWhole(at, after));
        case COMMIT -> Optional.of(decodeCommit(at, after));
        case CHUNK, ABORT -> Optional.empty();
      };
    } catch (ByteSource.MalformedRecordException e) {
      throw frames.corruption("record does not decode: " + e.getMessage());
    }
  }

  private JournalTransaction decodeWhole(JournalPosition at, JournalPosition after) {
    ByteSource in = frames.payload();
    int version = frames.header.version();
    RecordCodec.Meta meta = RecordCodec.readMeta(in, version);
    return JournalTransaction.whole(frames.gtid, meta, at, after, RecordCodec.readChanges(in, version), frames.crc);
  }

  private JournalTransaction decodeCommit(JournalPosition at, JournalPosition after) {
    RecordCodec.CommitInfo info = RecordCodec.readCommit(frames.payload(), frames.header.version(), frames.streamed());
    Gtid gtid = frames.gtid;
    return JournalTransaction.chunked(gtid, info.meta(), at, after, info.delivered(),
        () -> new ChunkCursor(locator, gtid, info, at), frames.crc);
  }

  @Override
  public void close() throws IOException {
    if (frames != null) {
      startOffset = frames.offset;
      frames.close();
      frames = null;
    }
  }
}
