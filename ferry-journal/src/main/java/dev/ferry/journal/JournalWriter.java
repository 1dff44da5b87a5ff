package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.SegmentFormat.Header;
import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.WriteQueue.Pending;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's one writer thread: takes every queued frame as one group, writes them with as few
 * {@code write} calls as fit its buffer, calls {@code force} once per group and only then
 * completes the appenders' futures and wakes readers. Rolls segments by size and age. The first
 * I/O error is sticky: nothing is retried, every later append fails (see {@link WriteQueue}).
 *
 * <p>All fields but the published durable mark are confined to the writer thread.
 */
final class JournalWriter implements TailWatch {
  private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
  private static final long IDLE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The open segment as recovery left it. */
  record OpenSegment(Path path, Header header, long size, long recordCount, Instant openedAt) {
  }

  private final JournalConfig config;
  private final UUID journalId;
  private final String prefix;
  private final WriteQueue queue;
  private final Consumer<SegmentFile> onSealed;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
  /** Chunked transactions not yet committed or aborted → segment of their first chunk. */
  private final Map<Object, Long> openChunked = new ConcurrentHashMap<>();
  private final Thread thread;

  private FileChannel channel;
  private Path path;
  private long segment;
  private long size;
  private long recordCount;
  private Instant openedAt;
  /** The format of the open segment: one found at start in an older format is sealed before appending. */
  private int openFormat = SegmentFormat.VERSION;

  private final ReentrantLock progressLock = new ReentrantLock();
  private final Condition progress = progressLock.newCondition();
  /** How far the journal is durable; one volatile field so readers see segment and offset together. */
  private record Mark(long segment, long offset, long version) {
    /** How many bytes of segment {@code seg} lie below this mark, given the file's size. */
    long limit(long seg, long fileSize) {
      if (seg < segment) {
        return fileSize;
      }
      return seg == segment ? Math.min(fileSize, offset) : 0;
    }
  }

  private volatile Mark mark = new Mark(0, 0, 0);
  /** How far whole records are written to the open segment, forced or not (its version unused). */
  private volatile Mark written = new Mark(0, 0, 0);
  private final java.util.concurrent.atomic.LongAdder groups = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder frames = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder frameBytes = new java.util.concurrent.atomic.LongAdder();
  private volatile Journal.ForceListener onForce = (nanos, records) -> { };
  /** Records written when the last group commit's force ended; writer thread only. */
  private long framesAtLastForce;

  JournalWriter(JournalConfig config, UUID journalId, long nextSegment, OpenSegment open,
      WriteQueue queue, Consumer<SegmentFile> onSealed) throws IOException {
    this.config = config;
    this.journalId = journalId;
    this.prefix = Side.journal(config.directory()) + " ";
    this.queue = queue;
    this.onSealed = onSealed;
    this.segment = nextSegment;
    if (open != null) {
      path = open.path();
      segment = open.header().segment();
      size = open.size();
      recordCount = open.recordCount();
      openedAt = open.openedAt();
      channel = FileChannel.open(path, StandardOpenOption.WRITE);
      channel.position(size);
      openFormat = open.header().version();
    }
    mark = new Mark(segment, size, 0);
    written = mark;
    this.thread = Thread.ofPlatform().name("ferry-journal-writer").daemon(true).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  void join() throws InterruptedException {
    thread.join();
  }

  private void run() {
    List<Pending> group = new ArrayList<>();
    try {
      while (queue.drainTo(group, idleWaitNanos())) {
        if (queue.failure() != null) {
          fail(group, queue.failure());
        } else {
          writeSafely(group);
        }
        group.clear();
      }
      closeChannel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      queue.fail(new JournalFailedException(prefix + "writer thread interrupted", e));
    } catch (IOException e) {
      queue.fail(new JournalFailedException(prefix + "closing the open segment failed", e));
    }
  }

  private void writeSafely(List<Pending> group) {
    try {
      write(group);
      sealIfOld();
    } catch (IOException | RuntimeException e) {
      JournalFailedException failure = new JournalFailedException(prefix + "write failed in segment " + segment
          + " at offset " + size + "; the journal refuses appends until reopened", e);
      LOG.error("{}", failure.getMessage(), e);
      queue.fail(failure);
      fail(group, failure);
      closeQuietly();
    }
  }

  private static void fail(List<Pending> group, Exception failure) {
    for (Pending p : group) {
      p.future().completeExceptionally(failure);
    }
  }

  private long idleWaitNanos() {
    if (channel == null) {
      return Long.MAX_VALUE;
    }
    Instant due = openedAt.plus(config.segmentAge());
    long remaining = java.time.Duration.between(config.clock().instant(), due).toNanos();
    return Math.max(1, Math.min(remaining, IDLE_TICK_NANOS));
  }

  private void write(List<Pending> group) throws IOException {
    int completed = 0;
    JournalPosition[] positions = new JournalPosition[group.size()];
    if (openFormat != SegmentFormat.VERSION && channel != null) {
      LOG.info("{}open segment {} is in format version {}: sealing it to append in version {}", prefix, segment,
          openFormat, SegmentFormat.VERSION);
      openFormat = SegmentFormat.VERSION;
      seal();
    }
    for (int i = 0; i < group.size(); i++) {
      Pending p = group.get(i);
      if (channel == null) {
        createSegment(p.gtid());
      }
      positions[i] = new JournalPosition(segment, size);
      track(p);
      append(p.frame());
      if (size >= config.segmentBytes()) {
        flushAndForce();
        completed = complete(group, positions, completed, i + 1);
        seal();
      }
    }
    if (completed < group.size()) {
      flushAndForce();
      complete(group, positions, completed, group.size());
    }
  }

  private void track(Pending p) {
    if (p.firstChunk()) {
      openChunked.put(p.chunked(), segment);
    } else if (p.type() == RecordType.COMMIT || p.type() == RecordType.ABORT) {
      openChunked.remove(p.chunked());
    }
  }

  private void append(byte[] frame) throws IOException {
    if (frame.length > buffer.remaining()) {
      flush();
    }
    if (frame.length > buffer.capacity()) {
      writeFully(ByteBuffer.wrap(frame));
    } else {
      buffer.put(frame);
    }
    size += frame.length;
    recordCount++;
    frames.increment();
    frameBytes.add(frame.length);
  }

  private void flush() throws IOException {
    buffer.flip();
    writeFully(buffer);
    buffer.clear();
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private void flushAndForce() throws IOException {
    flush();
    publishWritten(segment, size); // readers applying ahead start while the force runs
    long start = System.nanoTime();
    channel.force(false);
    long written = frames.sum();
    onForce.forced(System.nanoTime() - start, written - framesAtLastForce);
    framesAtLastForce = written;
    groups.increment();
    publish(segment, size);
  }

  /** Records written so far, and their bytes. */
  long frames() {
    return frames.sum();
  }

  long frameBytes() {
    return frameBytes.sum();
  }

  void onForce(Journal.ForceListener listener) {
    onForce = listener;
  }

  /** Group commits made so far: one {@code force} each. */
  long groups() {
    return groups.sum();
  }

  private static int complete(List<Pending> group, JournalPosition[] positions, int from, int to) {
    for (int i = from; i < to; i++) {
      group.get(i).future().complete(positions[i]);
    }
    return to;
  }

  private void createSegment(Gtid firstGtid) throws IOException {
    long retainFrom = openChunked.values().stream().mapToLong(Long::longValue).min().orElse(segment);
    path = config.directory().resolve(SegmentFiles.openName(segment));
    channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    writeFully(SegmentFormat.encodeHeader(new Header(journalId, segment, firstGtid, retainFrom)));
    channel.force(true);
    DurableFiles.fsyncDirectory(config.directory());
    size = SegmentFormat.HEADER_LENGTH;
    recordCount = 0;
    openedAt = config.clock().instant();
    publish(segment, size);
    LOG.debug("{}opened segment {} ({}), first GTID {}", prefix, segment, path.getFileName(), firstGtid);
  }

  private void sealIfOld() throws IOException {
    if (channel != null && !config.clock().instant().isBefore(openedAt.plus(config.segmentAge()))) {
      LOG.debug("{}segment {} reached its age limit {}", prefix, segment, config.segmentAge());
      seal();
    }
  }

  /** Seals the open segment: its data is already forced; rename it and fsync the directory. */
  private void seal() throws IOException {
    channel.close();
    channel = null;
    Path sealed = path.resolveSibling(SegmentFiles.sealedName(segment, recordCount));
    DurableFiles.rename(path, sealed);
    LOG.info("{}sealed segment {} as {} ({} records, {} bytes)", prefix, segment, sealed.getFileName(),
        recordCount, size);
    SegmentFile file = new SegmentFile(sealed, segment, false, recordCount);
    segment++;
    publish(segment, 0);
    onSealed.accept(file);
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      flushAndForce();
      channel.close();
      channel = null;
    }
  }

  private void closeQuietly() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      LOG.warn("{}closing {} after a failure: {}", prefix, path, e.toString());
    }
    channel = null;
  }

  private void publish(long seg, long offset) {
    progressLock.lock();
    try {
      mark = new Mark(seg, offset, mark.version() + 1);
      written = mark;
      progress.signalAll();
    } finally {
      progressLock.unlock();
    }
  }

  /** Whole records up to {@code offset} are in the file, not forced yet: wakes readers that apply ahead. */
  private void publishWritten(long seg, long offset) {
    progressLock.lock();
    try {
      written = new Mark(seg, offset, 0);
      mark = new Mark(mark.segment(), mark.offset(), mark.version() + 1);
      progress.signalAll();
    } finally {
      progressLock.unlock();
    }
  }

  /** The lowest segment holding a chunk of a still-open chunked transaction; purge keeps it. */
  long oldestOpenChunkSegment() {
    return openChunked.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
  }

  @Override
  public long version() {
    return mark.version();
  }

  @Override
  public long limit(long seg, long fileSize) {
    return mark.limit(seg, fileSize);
  }

  @Override
  public boolean exact() {
    return true;
  }

  @Override
  public long writtenLimit(long seg, long fileSize) {
    Mark m = mark;
    Mark w = written;
    // Never behind the durable mark (which recovery sets without a write, and every publish passes).
    boolean behind = w.segment() < m.segment() || w.segment() == m.segment() && w.offset() < m.offset();
    return (behind ? m : w).limit(seg, fileSize);
  }

  @Override
  public boolean durable(JournalPosition position) {
    Mark m = mark;
    return position.segment() < m.segment() || position.segment() == m.segment() && position.offset() <= m.offset();
  }

  @Override
  public void awaitDurable(JournalPosition position) throws IOException, InterruptedException {
    while (true) {
      long seen = mark.version();
      if (durable(position)) {
        return;
      }
      if (queue.failure() != null) {
        throw new IOException(prefix + "the journal failed before " + position + " was durable", queue.failure());
      }
      awaitChange(seen, TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Override
  public void awaitChange(long seen, long nanos) throws InterruptedException {
    progressLock.lock();
    try {
      while (mark.version() == seen && nanos > 0) {
        nanos = progress.awaitNanos(nanos);
      }
    } finally {
      progressLock.unlock();
    }
  }
}
