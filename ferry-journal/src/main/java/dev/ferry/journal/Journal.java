package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.time.Instant;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A journal directory opened for writing: appends go through one writer thread with group commit;
 * sealed segments are purged by a maintenance thread, once shipped when they must be
 * ({@link #shipping()}). Opening runs recovery (see
 * {@link JournalRecovery}'s passes, logged). Only one process may open a directory for writing at
 * a time ({@code journal.lock}).
 *
 * <p>Thread-safe: any thread may append, begin large transactions, open readers and acknowledge.
 * Appends block while the write queue holds {@link JournalConfig#maxQueuedBytes()}. After an I/O
 * error every append fails with {@link JournalFailedException} until the journal is reopened.
 * Nothing returned is null.
 */
public final class Journal implements AutoCloseable {
  private final JournalConfig config;
  private final UUID id;
  private final WriterLock lock;
  private final WriteQueue queue;
  private final JournalWriter writer;
  private final Maintenance maintenance;
  private final Purger purger;
  private final Consumers consumers;
  private final SegmentLocator locator;
  private final Set<Object> openLarge = ConcurrentHashMap.newKeySet();

  private Journal(JournalConfig config, WriterLock lock) throws IOException {
    this.config = config;
    this.lock = lock;
    JournalRecovery.Result recovered = JournalRecovery.run(config);
    this.id = recovered.journalId();
    this.queue = new WriteQueue(config.maxQueuedBytes());
    this.consumers = new Consumers(config.directory());
    // The writer hands sealed segments to maintenance, created next (the purger needs the writer).
    this.writer = new JournalWriter(config, id, recovered.nextSegment(), recovered.open(), queue,
        this::sealed);
    this.purger = new Purger(config, id, consumers, writer::oldestOpenChunkSegment);
    this.maintenance = new Maintenance(config, purger);
    this.locator = new SegmentLocator(config.directory(), id);
  }

  /**
   * Opens (or creates) the journal in {@code config.directory()}, recovering it after a crash.
   *
   * @throws IOException if another process has it open, or recovery finds corruption or a gap
   */
  public static Journal open(JournalConfig config) throws IOException {
    WriterLock lock = WriterLock.acquire(config.directory());
    try {
      Journal journal = new Journal(config, lock);
      journal.maintenance.start();
      journal.writer.start();
      return journal;
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Holds {@code journal.lock} of the journal in {@code directory} as its writer does, for an
   * operator's command that must not run beside {@code ferry run} or {@code capture}, nor let one
   * start meanwhile ({@code ferry promote}, {@code ferry skip}); released by closing it. Empty while
   * a process (this one or another) holds it.
   */
  public static Optional<java.io.Closeable> hold(Path directory) throws IOException {
    return WriterLock.tryAcquire(directory).map(lock -> lock);
  }

  /**
   * Whether a process (this one or another) has the journal in {@code directory} open for writing
   * ({@code ferry run} or {@code capture}): it holds {@code journal.lock}. A directory without a
   * journal is not in use. The answer may change right after it is given.
   */
  public static boolean inUse(Path directory) throws IOException {
    Path lockFile = SegmentFiles.lockFile(directory);
    if (!java.nio.file.Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    }
  }

  /**
   * Acknowledges {@code position} for {@code consumer} from another process than the journal's
   * writer (a separate {@code ferry apply}): the consumer's file is replaced atomically and
   * durably, and the writer's purge reads it. Thread-safe.
   */
  public static void acknowledge(Path journalDir, String consumer, JournalPosition position) throws IOException {
    new Consumers(journalDir).acknowledge(consumer, position);
  }

  /**
   * As {@link #acknowledge(Path, String, JournalPosition)}, also recording the GTID of the
   * transaction that ends at {@code position}: on open, recovery refuses a journal that no longer
   * holds it there (see {@link ConsumerAheadException}).
   */
  public static void acknowledge(Path journalDir, String consumer, JournalPosition position, Gtid last)
      throws IOException {
    new Consumers(journalDir).acknowledge(consumer, position, Optional.of(last));
  }

  /**
   * Checks that a consumer which applied {@code last} (with its {@link JournalTransaction#checksum()},
   * when known) and stopped at {@code after} can continue from this journal: {@code after} is at
   * or before the journal's end and is the end of the record of that very transaction.
   *
   * @throws ConsumerAheadException naming the consumer's GTID and position and the journal's end
   */
  public static void checkConsumer(Path journalDir, String consumer, JournalPosition after, Optional<Gtid> last,
      java.util.OptionalLong checksum) throws IOException {
    new ConsumerCheck(journalDir, JournalIdentity.read(journalDir))
        .check(new ConsumerCheck.Claim(consumer, after, last, checksum));
  }

  /**
   * Forgets {@code consumer} from another process than the journal's writer ({@code ferry replica
   * drop}): it no longer holds segments back, and the writer's next purge may delete what only it
   * needed. Returns whether it was registered. Thread-safe.
   */
  public static boolean removeConsumer(Path journalDir, String consumer) throws IOException {
    Consumers consumers = new Consumers(journalDir);
    boolean known = consumers.all().containsKey(consumer);
    consumers.remove(consumer);
    return known;
  }

  /** The acknowledged position of every registered consumer of the journal in {@code journalDir}. */
  public static Map<String, JournalPosition> consumers(Path journalDir) throws IOException {
    return new Consumers(journalDir).all();
  }

  /**
   * Group commits (one {@code force} each) this journal object has made since it was opened: with
   * the number of appends, the average group size. Thread-safe.
   */
  public long groupCommits() {
    return writer.groups();
  }

  /**
   * Records (a transaction, or a chunk or commit of a large one) written since opened; with
   * {@link #appendedBytes()} their bytes, frames included. Thread-safe.
   */
  public long appendedRecords() {
    return writer.frames();
  }

  public long appendedBytes() {
    return writer.frameBytes();
  }

  /** Told of each group commit: one {@code force} of the journal's open segment. */
  @FunctionalInterface
  public interface ForceListener {
    /**
     * @param nanos how long the {@code force} took
     * @param records the records it made durable: the group's size (records written since the
     *     previous force; a segment sealed meanwhile counts its last records here)
     */
    void forced(long nanos, long records);
  }

  /**
   * Tells {@code listener} of each group commit. It runs on the writer thread and must return at
   * once (a metrics histogram); the last one set wins.
   */
  public void onForce(ForceListener listener) {
    writer.onForce(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /** The journal's identity, written in every segment header. */
  public UUID id() {
    return id;
  }

  public Path directory() {
    return config.directory();
  }

  /**
   * Appends a whole transaction. The future completes with its record's position once an fsync
   * made it durable, or exceptionally ({@link JournalFailedException}) if the journal failed.
   * Blocks while the write queue is full.
   */
  public CompletableFuture<JournalPosition> append(Transaction transaction) {
    byte[] frame;
    try {
      frame = RecordFrames.transaction(transaction);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return enqueue(frame, RecordType.TX, transaction.gtid(), false);
  }

  /**
   * Starts a transaction written in chunks. Chunks of several large transactions may interleave
   * with each other and with whole transactions.
   *
   * @throws IllegalStateException if a large transaction with this GTID is already open
   */
  public LargeTransactionWriter beginLarge(Gtid gtid) {
    if (!openLarge.add(gtid)) {
      throw new IllegalStateException("large transaction " + gtid + " is already being written");
    }
    return new LargeTransactionWriter(this, gtid, false);
  }

  /**
   * Starts a streamed transaction: one whose changes arrive while it is still in progress, before
   * its GTID can be known (GTIDs follow commit order, and streamed transactions commit in any order).
   * Its chunks carry {@code streamKey} instead of a GTID; {@link LargeTransactionWriter#commit(Gtid,
   * Instant, long, SourcePosition, List)} gives it its GTID. Several may be open at once.
   *
   * @param streamKey unique among the streamed transactions open at once (PostgreSQL: 0-0-xid)
   * @throws IllegalStateException if a streamed transaction with this key is already open
   */
  public LargeTransactionWriter beginStreamed(Gtid streamKey) {
    if (!openLarge.add(new LargeTransactionWriter.StreamKey(streamKey))) {
      throw new IllegalStateException("streamed transaction " + streamKey + " is already being written");
    }
    return new LargeTransactionWriter(this, streamKey, true);
  }

  private void sealed(SegmentFiles.SegmentFile segment) {
    maintenance.sealed(segment);
  }

  /**
   * The journal's side of shipping sealed segments (the one shipper of this journal, see
   * {@link SegmentShipping}): segments sealed and not yet shipped, and the way to mark them shipped.
   *
   * @throws IllegalStateException unless the journal was opened with
   *     {@link JournalConfig#keepUntilShipped()}, without which a segment could be purged unshipped
   */
  public SegmentShipping shipping() {
    if (!config.keepUntilShipped()) {
      throw new IllegalStateException("journal " + config.directory() + " was opened without keepUntilShipped: "
          + "its sealed segments are not kept for a shipper");
    }
    return maintenance;
  }

  void finishLarge(Object chunked) {
    openLarge.remove(chunked);
  }

  CompletableFuture<JournalPosition> enqueue(byte[] frame, RecordType type, Gtid gtid, boolean firstChunk) {
    return queue.put(frame, type, gtid, firstChunk, gtid);
  }

  CompletableFuture<JournalPosition> enqueue(byte[] frame, RecordType type, Gtid gtid, boolean firstChunk,
      Object chunked) {
    return queue.put(frame, type, gtid, firstChunk, chunked);
  }

  /** A reader from {@code position} that the writer wakes as soon as new data is durable. */
  public JournalReader readerAt(JournalPosition position) {
    return new JournalReader(locator, writer, position);
  }

  /** The journal's durable bytes for a transport to ship, in whole records, as the writer fsyncs them. */
  public JournalTail tail() {
    return new JournalTail(config.directory(), writer);
  }

  /** A reader from the oldest segment still in the journal. */
  public JournalReader readerAtOldest() throws IOException {
    return readerAt(JournalReader.oldest(config.directory()));
  }

  /**
   * Records, durably, that {@code consumer} has applied everything before {@code position} (a
   * {@link JournalTransaction#nextPosition()}). Segments every consumer is past can be purged.
   *
   * @param consumer letters, digits, {@code _ . -}
   */
  public void acknowledge(String consumer, JournalPosition position) throws IOException {
    consumers.acknowledge(consumer, position);
  }

  /** As {@link #acknowledge(String, JournalPosition)}, recording the GTID that ends at {@code position}. */
  public void acknowledge(String consumer, JournalPosition position, Gtid last) throws IOException {
    consumers.acknowledge(consumer, position, Optional.of(last));
  }

  /** Forgets a consumer, so it no longer holds segments back. */
  public void removeConsumer(String consumer) throws IOException {
    consumers.remove(consumer);
  }

  /** The acknowledged position of every registered consumer, by name. */
  public Map<String, JournalPosition> consumers() throws IOException {
    return consumers.all();
  }

  /**
   * Deletes the segments no consumer needs (and, over the size cap, the oldest ones anyway, with a
   * warning). Runs by itself after each seal (or, when segments are kept until shipped, after each
   * segment is shipped); callable any time.
   *
   * @return the purged segments, oldest first
   */
  public List<SegmentInfo> purge() throws IOException {
    return purger.purge();
  }

  /**
   * Writes what is queued, stops the writer and the maintenance thread. The open segment stays
   * open; the next {@link #open} continues it.
   */
  @Override
  public void close() throws IOException {
    queue.close();
    try {
      writer.join();
      maintenance.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing journal " + config.directory(), e);
    } finally {
      lock.close();
    }
    JournalFailedException failure = queue.failure();
    if (failure != null) {
      throw failure;
    }
  }
}
