package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.IngestFrames.Frame;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.SegmentFormat.Header;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of another journal opened for writing what a transport received: the same segments,
 * the same bytes at the same positions, under the primary's UUID. Two ways in:
 *
 * <ul>
 *   <li>{@link #appendSegment}: a whole sealed segment, which becomes visible only when whole
 *       (temp file → fsync → rename → fsync directory; or, when the copy holds the segment's
 *       beginning open, the rest appended and the open file renamed to its sealed name);
 *   <li>{@link #appendRecords}: a stretch of the primary's open segment (its tail), appended to
 *       the copy's open segment. Bytes the copy already holds at those positions must be the same
 *       (a resend is a no-op); other content there is refused.
 * </ul>
 *
 * Everything offered is checked before anything is written: the segment header (this journal's
 * UUID, the segment number, the first GTID), the segment number (exactly the one the copy
 * continues: no gap, no overlap), every record frame (length, CRC32C, type, flags, GTID — not the
 * payload, so ingest is independent of the change format) and the GTIDs, which must continue the
 * copy's last ones by the journal's rule ({@link CommitOrder}). A refusal throws
 * {@link IngestRefusedException} naming segment, offset and GTID, and writes nothing.
 *
 * <p>After a crash, {@link #open} recovers the copy as {@link Journal#open} recovers a journal (a
 * half-written open segment's torn tail is truncated, a half-written temp file removed), and
 * {@link #end()} says where to continue. Readers ({@link JournalReader#openAt}) may read the copy
 * meanwhile, from this or another process; they see only whole records.
 *
 * <p>Holds {@code journal.lock} like a {@link Journal}: one writer per directory. Not thread-safe:
 * one receiving thread calls it.
 */
public final class JournalIngest implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JournalIngest.class);
  private final JournalConfig config;
  private final Path dir;
  /** Wakes this process's readers of the copy (a replica node's appliers) after each durable write. */
  private final DirectoryWake wake;
  private final UUID id;
  private final WriterLock lock;
  private final String prefix;
  private CommitOrder order;
  /** The open segment's number, or the next segment's when none is open. */
  private long segment;
  /** The open segment's size; 0 when none is open. */
  private long size;
  /** The records in the open segment. */
  private long records;

  private JournalIngest(JournalConfig config, UUID id, WriterLock lock, long segment, long size, long records,
      CommitOrder order) {
    this.config = config;
    this.dir = config.directory();
    this.wake = DirectoryWake.of(dir);
    this.id = id;
    this.lock = lock;
    this.prefix = Side.journal(dir) + " ";
    this.segment = segment;
    this.size = size;
    this.records = records;
    this.order = order;
  }

  /**
   * Opens the copy of journal {@code primaryId} in {@code config.directory()}, creating it (with
   * the primary's UUID in {@code journal.id}) if the directory holds no journal, and recovering it
   * after a crash.
   *
   * @throws JournalMismatchException if the directory holds a copy of another journal
   * @throws IOException if another process writes it, or recovery finds corruption or a gap
   */
  public static JournalIngest open(JournalConfig config, UUID primaryId) throws IOException {
    Path dir = config.directory();
    WriterLock lock = WriterLock.acquire(dir);
    try {
      if (!JournalIdentity.exists(dir) && SegmentFiles.list(dir).isEmpty()) {
        JournalIdentity.create(dir, primaryId);
        LOG.info("{} new copy of journal {}", Side.journal(dir), primaryId);
      }
      if (JournalIdentity.exists(dir) && !JournalIdentity.read(dir).equals(primaryId)) {
        throw new JournalMismatchException(SegmentFiles.idFile(dir), primaryId, JournalIdentity.read(dir));
      }
      JournalRecovery.Result r = JournalRecovery.run(config);
      long segment = r.open() == null ? r.nextSegment() : r.open().header().segment();
      long size = r.open() == null ? 0 : r.open().size();
      long records = r.open() == null ? 0 : r.open().recordCount();
      return new JournalIngest(config, r.journalId(), lock, segment, size, records,
          commitOrder(dir, r.journalId(), size));
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * The journal's rule as the copy's last records left it: replayed from the segment that holds
   * the first chunk of any chunked transaction still open at the end (the last segment's
   * {@code retain-from}).
   */
  private static CommitOrder commitOrder(Path dir, UUID id, long openSize) throws IOException {
    CommitOrder order = new CommitOrder();
    List<SegmentFile> segments = SegmentFiles.list(dir);
    if (segments.isEmpty()) {
      return order;
    }
    SegmentFile last = segments.getLast();
    long from;
    try (FrameReader f = FrameReader.open(last.path(), last.number(), id, false).orElseThrow()) {
      from = Math.min(last.number(), f.header.retainFrom());
    }
    for (SegmentFile s : segments) {
      if (s.number() >= from) {
        try (FrameReader f = FrameReader.open(s.path(), s.number(), id, false).orElseThrow()) {
          long limit = s.open() ? openSize : f.size();
          while (f.next(limit) == Status.RECORD) {
            order.see(f.type, f.streamed(), f.gtid, () -> CommitOrder.declaresSourceGtid(f.type, f.gtid, f.payload(),
                f.header.version()), s.path(), f.recordOffset);
          }
        }
      }
    }
    return order;
  }

  /**
   * The journal UUID in the header of segment {@code number}'s bytes, before any copy exists to
   * check them against: a new copy takes its identity from the first segment it receives.
   *
   * @throws IngestRefusedException if the bytes do not start with a valid header of that segment
   */
  public static UUID journalIdOf(Path copyDir, long number, byte[] bytes) throws IngestRefusedException {
    IngestFrames parser = new IngestFrames(copyDir, number);
    Header header;
    try {
      header = SegmentFormat.decodeHeader(ByteBuffer.wrap(bytes));
    } catch (SegmentFormat.HeaderException e) {
      throw parser.refuse(e.offset, Optional.empty(), "bad segment header: " + e.getMessage());
    }
    if (header.segment() != number) {
      throw parser.refuse(32, Optional.empty(), "the header says segment " + header.segment());
    }
    return header.journalId();
  }

  /**
   * Deletes the copy's sealed segments that every consumer (replica) has acknowledged as applied,
   * as a journal's purge does ({@code retain} cap included), never the copy's newest segment nor
   * one holding a chunk of a transaction still open at the copy's end. With no consumer
   * registered nothing is purged.
   *
   * @return the purged segments, oldest first
   */
  public List<SegmentInfo> purge() throws IOException {
    return new Purger(config.withKeepUntilShipped(false), id, new Consumers(dir), this::openChunkFloor).purge();
  }

  private long openChunkFloor() {
    try {
      List<SegmentFile> segments = SegmentFiles.list(dir);
      if (segments.isEmpty()) {
        return Long.MAX_VALUE;
      }
      SegmentFile last = segments.getLast();
      try (FrameReader f = FrameReader.open(last.path(), last.number(), id, false).orElseThrow()) {
        return Math.min(last.number(), f.header.retainFrom());
      }
    } catch (IOException e) {
      if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
        // The link is being stopped: its thread was interrupted while reading. Nothing is wrong with the copy.
        LOG.debug("{}purging nothing: interrupted while reading the newest segment's header (stopping)", prefix);
      } else {
        LOG.warn("{}cannot read the newest segment's header, purging nothing: {}", prefix,
            e.getMessage() == null ? e.toString() : e.getMessage());
      }
      return 0;
    }
  }

  /** The journal's UUID: the primary's. */
  public UUID id() {
    return id;
  }

  public Path directory() {
    return dir;
  }

  /**
   * Where the copy ends: the open segment and its size, or the next segment at offset 0 when none
   * is open. A transport continues from here.
   */
  public JournalPosition end() {
    return new JournalPosition(segment, size);
  }

  /**
   * Appends sealed segment {@code number}, byte for byte as the primary sealed it.
   *
   * @throws IngestRefusedException if it is not this journal's, not the segment the copy continues
   *     with, not whole and valid, or its GTIDs do not continue the copy's; nothing is written
   */
  public void appendSegment(long number, byte[] bytes) throws IOException {
    appendSegment(number, java.util.OptionalLong.empty(), bytes);
  }

  /**
   * As {@link #appendSegment(long, byte[])}, also refusing bytes that do not hold exactly
   * {@code records} records: what a sealed segment's file name says it holds, so a file read
   * while it was still being copied, cut at a record boundary, is not taken for the whole segment.
   */
  public void appendSegment(long number, long records, byte[] bytes) throws IOException {
    appendSegment(number, java.util.OptionalLong.of(records), bytes);
  }

  private void appendSegment(long number, java.util.OptionalLong records, byte[] bytes) throws IOException {
    IngestFrames parser = new IngestFrames(dir, number);
    Header header = checkHeader(parser, number, bytes);
    List<Frame> frames = parser.parse(bytes, SegmentFormat.HEADER_LENGTH, SegmentFormat.HEADER_LENGTH);
    checkFirstGtid(parser, header, frames);
    if (records.isPresent() && frames.size() != records.getAsLong()) {
      throw parser.refuse(bytes.length, Optional.of(frames.getLast().gtid()), "the segment's name says "
          + records.getAsLong() + " records, its " + bytes.length + " bytes hold " + frames.size()
          + " (a file not yet wholly copied?)");
    }
    if (number != segment) {
      throw parser.refuse(0, Optional.empty(), number < segment
          ? "overlap: the copy already holds segment " + number + " (it continues with segment " + segment + ")"
          : "gap: the copy continues with segment " + segment + (size > 0 ? " (open, " + size + " bytes)" : ""));
    }
    Path sealed = dir.resolve(SegmentFiles.sealedName(number, frames.size()));
    if (size > 0) {
      if (bytes.length < size) {
        throw parser.refuse(bytes.length, Optional.empty(), "the copy holds segment " + number + " open with "
            + size + " bytes, more than the " + bytes.length + " of the sealed segment offered");
      }
      Path open = dir.resolve(SegmentFiles.openName(number));
      List<Frame> added = continuing(parser, open, 0, bytes, frames);
      CommitOrder next = checkOrder(parser, bytes, added);
      appendTo(open, bytes, (int) size);
      DurableFiles.rename(open, sealed);
      order = next;
    } else {
      CommitOrder next = checkOrder(parser, bytes, frames);
      DurableFiles.write(sealed, bytes);
      order = next;
    }
    LOG.info("{}ingested sealed segment {} as {} ({} records, {} bytes)", prefix, number, sealed.getFileName(),
        frames.size(), bytes.length);
    segment = number + 1;
    size = 0;
    this.records = 0;
    wake.bump();
  }

  /**
   * Seals the copy's open segment {@code number}, which the primary sealed holding {@code count}
   * records, once {@link #appendRecords} brought all of them: the open file is renamed to its
   * sealed name (durably), byte-identical to the primary's sealed segment. Sealing a segment the
   * copy already holds sealed with that many records is a no-op (a resend).
   *
   * @throws IngestRefusedException if the copy does not hold exactly {@code count} records of it
   */
  public void seal(long number, long count) throws IOException {
    IngestFrames parser = new IngestFrames(dir, number);
    if (number < segment) {
      Optional<SegmentFile> held = SegmentFiles.find(dir, number);
      if (held.isPresent() && !held.get().open() && held.get().recordCount() != count) {
        throw parser.refuse(0, Optional.empty(), "the copy holds segment " + number + " sealed with "
            + held.get().recordCount() + " records, the primary says " + count);
      }
      return;
    }
    if (number > segment || size == 0 || records != count) {
      throw parser.refuse(size, Optional.empty(), "cannot seal segment " + number + " with " + count
          + " records: the copy " + (number == segment && size > 0 ? "holds " + records + " records of it"
          : "continues with segment " + segment + " at offset " + size));
    }
    Path sealed = dir.resolve(SegmentFiles.sealedName(number, records));
    DurableFiles.rename(dir.resolve(SegmentFiles.openName(number)), sealed);
    LOG.info("{}sealed segment {} as {} ({} records, {} bytes)", prefix, number, sealed.getFileName(), records, size);
    segment = number + 1;
    size = 0;
    records = 0;
    wake.bump();
  }

  /**
   * Appends record frames of segment {@code number} that start at {@code offset} in it (offset 0:
   * the bytes start with the segment header), as the primary wrote them. Bytes the copy already
   * holds must be the same (then they are skipped: a resend is harmless); the new ones are
   * appended to the copy's open segment and forced to disk before this returns.
   *
   * @return whether anything new was written
   * @throws IngestRefusedException if the bytes are not whole, valid frames of this journal,
   *     conflict with what the copy holds, leave a gap, or their GTIDs do not continue the copy's
   */
  public boolean appendRecords(long number, long offset, byte[] bytes) throws IOException {
    IngestFrames parser = new IngestFrames(dir, number);
    int from = offset == 0 ? SegmentFormat.HEADER_LENGTH : 0;
    Optional<Header> header = offset == 0 ? Optional.of(checkHeader(parser, number, bytes)) : Optional.empty();
    List<Frame> frames = parser.parse(bytes, from, offset + from);
    if (header.isPresent()) {
      checkFirstGtid(parser, header.get(), frames);
    }
    if (number < segment) {
      Path held = SegmentFiles.find(dir, number).orElseThrow(() -> parser.refuse(offset, Optional.empty(),
          "the copy no longer holds segment " + number + " (purged)")).path();
      long heldSize = Files.size(held);
      sameAsHeld(parser, held, offset, bytes, frames, Math.min(heldSize, offset + bytes.length));
      if (offset + bytes.length > heldSize) {
        throw parser.refuse(heldSize, Optional.empty(), "the copy holds segment " + number + " sealed at "
            + heldSize + " bytes; the offered bytes go on to offset " + (offset + bytes.length));
      }
      return false;
    }
    if (number > segment || (size == 0 && offset != 0) || offset > size) {
      throw parser.refuse(offset, frames.isEmpty() ? Optional.empty() : Optional.of(frames.getFirst().gtid()),
          "gap: the copy ends at segment " + segment + " offset " + size);
    }
    Path open = dir.resolve(SegmentFiles.openName(number));
    if (size == 0) {
      CommitOrder next = checkOrder(parser, bytes, frames);
      create(open, bytes);
      order = next;
      size = bytes.length;
      records = frames.size();
      wake.bump();
      return true;
    }
    List<Frame> added = continuing(parser, open, offset, bytes, frames);
    if (added.isEmpty()) {
      return false;
    }
    CommitOrder next = checkOrder(parser, bytes, added);
    appendTo(open, bytes, (int) (size - offset));
    order = next;
    size = offset + bytes.length;
    records += added.size();
    wake.bump();
    return true;
  }

  /**
   * Checks that {@code bytes} (from {@code offset} of the segment) agree with the copy's open
   * segment where they overlap and that what is new starts at a frame boundary; returns the new
   * frames.
   */
  private List<Frame> continuing(IngestFrames parser, Path open, long offset, byte[] bytes, List<Frame> frames)
      throws IOException {
    long end = offset + bytes.length;
    sameAsHeld(parser, open, offset, bytes, frames, Math.min(size, end));
    if (end <= size) {
      return List.of();
    }
    List<Frame> added = frames.stream().filter(f -> f.offset() >= size).toList();
    if (added.isEmpty() || added.getFirst().offset() != size) {
      throw parser.refuse(size, Optional.empty(), "the copy's open segment ends at offset " + size
          + ", which is not where a record of the offered bytes starts");
    }
    return added;
  }

  /** Refuses unless the copy's {@code held} file has the same bytes as offered from {@code offset} to {@code until}. */
  private void sameAsHeld(IngestFrames parser, Path held, long offset, byte[] bytes, List<Frame> frames, long until)
      throws IOException {
    int n = (int) Math.max(0, until - offset);
    byte[] have = new byte[n];
    try (FileChannel ch = FileChannel.open(held, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.wrap(have);
      while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
        // keep reading
      }
    }
    int at = Arrays.mismatch(have, 0, n, bytes, 0, n);
    if (at < 0) {
      return;
    }
    long position = offset + at;
    Optional<Frame> offered = frames.stream().filter(f -> f.offset() <= position && position < f.end()).findFirst();
    if (offered.isEmpty()) {
      throw parser.refuse(position, Optional.empty(), "the segment header differs from the copy's");
    }
    Frame f = offered.get();
    Optional<Gtid> heldGtid = IngestFrames.gtidAt(have, (int) (f.offset() - offset));
    throw parser.refuse(f.offset(), Optional.of(f.gtid()), "conflict: the copy holds "
        + heldGtid.map(g -> "GTID " + g).orElse("other bytes") + " there, with other content (first differing"
        + " byte at offset " + position + ")");
  }

  private Header checkHeader(IngestFrames parser, long number, byte[] bytes) throws IngestRefusedException {
    Header header;
    try {
      header = SegmentFormat.decodeHeader(ByteBuffer.wrap(bytes));
    } catch (SegmentFormat.HeaderException e) {
      throw parser.refuse(e.offset, Optional.empty(), "bad segment header: " + e.getMessage());
    }
    if (!header.journalId().equals(id)) {
      throw parser.refuse(16, Optional.empty(), "the segment belongs to journal " + header.journalId()
          + ", this is a copy of journal " + id);
    }
    if (header.segment() != number) {
      throw parser.refuse(32, Optional.empty(), "the header says segment " + header.segment());
    }
    if (header.retainFrom() > number) {
      throw parser.refuse(56, Optional.empty(), "the header's retain-from segment " + header.retainFrom()
          + " is after the segment itself");
    }
    return header;
  }

  private static void checkFirstGtid(IngestFrames parser, Header header, List<Frame> frames)
      throws IngestRefusedException {
    if (frames.isEmpty()) {
      throw parser.refuse(SegmentFormat.HEADER_LENGTH, Optional.of(header.firstGtid()), "the segment holds no record");
    }
    if (!frames.getFirst().gtid().equals(header.firstGtid())) {
      throw parser.refuse(SegmentFormat.HEADER_LENGTH, Optional.of(frames.getFirst().gtid()),
          "the header says the first GTID is " + header.firstGtid());
    }
  }

  /** The journal's rule over the new frames, on a copy of the order; returns it to adopt once written. */
  private CommitOrder checkOrder(IngestFrames parser, byte[] bytes, List<Frame> frames)
      throws IngestRefusedException {
    CommitOrder next = order.copy();
    Path name = dir.resolve(SegmentFiles.openName(segment));
    for (Frame f : frames) {
      Optional<String> problem = next.see(f.type(), f.streamed(), f.gtid(), () -> CommitOrder.declaresSourceGtid(f.type(),
          f.gtid(), IngestFrames.payload(bytes, f), SegmentFormat.VERSION), name, f.offset());
      if (problem.isPresent()) {
        throw parser.refuse(f.offset(), Optional.of(f.gtid()), problem.get());
      }
    }
    return next;
  }

  private void create(Path open, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(open, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    DurableFiles.fsyncDirectory(dir);
  }

  private void appendTo(Path open, byte[] bytes, int from) throws IOException {
    try (FileChannel ch = FileChannel.open(open, StandardOpenOption.WRITE)) {
      ch.position(size);
      writeFully(ch, ByteBuffer.wrap(bytes, from, bytes.length - from));
      ch.force(false);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Releases {@code journal.lock}. Everything appended is already durable. */
  @Override
  public void close() throws IOException {
    lock.close();
  }
}
