package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a journal directory after a clean stop or a crash, in numbered passes that each log what
 * they did (the list is in {@code docs/journal-format.md}):
 *
 * <ol>
 *   <li>identity: read {@code journal.id}, or create it for an empty directory;
 *   <li>leftovers: delete half-written {@code *.tmp} files;
 *   <li>inventory: list segments; only the highest may be open; numbers must be contiguous;
 *   <li>headers: every segment's header must parse and carry this journal's UUID;
 *   <li>torn tail: scan the open segment and truncate it after its last whole, valid record;
 *   <li>consumers: every acknowledged position must still be in the journal, at the end of the
 *       transaction the consumer recorded ({@link ConsumerAheadException} otherwise).
 * </ol>
 *
 * Sealed segments are not scanned here (they were forced before sealing); readers and
 * {@link JournalVerifier} check their records.
 */
final class JournalRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  /** What the writer needs to continue. {@code open} is null when no segment is open. */
  record Result(UUID journalId, long nextSegment, JournalWriter.OpenSegment open, long purgedThrough) {
  }

  private final JournalConfig config;
  private final Path dir;
  private final String prefix;

  private JournalRecovery(JournalConfig config) {
    this.config = config;
    this.dir = config.directory();
    this.prefix = Side.journal(dir) + " ";
  }

  static Result run(JournalConfig config) throws IOException {
    return new JournalRecovery(config).run();
  }

  private Result run() throws IOException {
    UUID id = pass1Identity();
    pass2Leftovers();
    long purgedThrough = readPurgedThrough(dir);
    List<SegmentFile> segments = pass3Inventory(purgedThrough);
    pass4Headers(id, segments);
    JournalWriter.OpenSegment open = null;
    long next = segments.isEmpty() ? purgedThrough + 1 : segments.getLast().number() + 1;
    if (!segments.isEmpty() && segments.getLast().open()) {
      open = pass5TornTail(id, segments.getLast()).orElse(null);
      next = segments.getLast().number() + (open == null ? 0 : 1);
    }
    pass6Consumers(id);
    LOG.info("{}recovered: journal {}, {} segments, next segment {}, purged through {}", prefix, id,
        segments.size(), open == null ? next : open.header().segment(), purgedThrough);
    return new Result(id, next, open, purgedThrough);
  }

  private UUID pass1Identity() throws IOException {
    Files.createDirectories(dir);
    if (JournalIdentity.exists(dir)) {
      UUID id = JournalIdentity.read(dir);
      LOG.info("{}pass 1 (identity): journal {}", prefix, id);
      return id;
    }
    if (!SegmentFiles.list(dir).isEmpty()) {
      throw new IOException(prefix + "holds segments but no " + SegmentFiles.ID_FILE
          + "; refusing to guess which journal they belong to");
    }
    UUID id = JournalIdentity.create(dir);
    LOG.info("{}pass 1 (identity): new journal {}", prefix, id);
    return id;
  }

  private void pass2Leftovers() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + DurableFiles.TMP_SUFFIX)) {
      for (Path tmp : stream) {
        Files.delete(tmp);
        removed++;
        LOG.info("{}pass 2 (leftovers): removed half-written {}", prefix, tmp.getFileName());
      }
    }
    LOG.info("{}pass 2 (leftovers): {} temporary files removed", prefix, removed);
  }

  private List<SegmentFile> pass3Inventory(long purgedThrough) throws IOException {
    List<SegmentFile> segments = SegmentFiles.list(dir);
    for (int i = 0; i < segments.size(); i++) {
      SegmentFile s = segments.get(i);
      if (s.open() && i != segments.size() - 1) {
        throw new JournalCorruptionException(s.path(), 0, "an open segment that is not the last one ("
            + segments.getLast().fileName() + " follows it)");
      }
      if (i > 0 && s.number() == segments.get(i - 1).number()) {
        throw new JournalCorruptionException(s.path(), 0, "two files for segment " + s.number());
      }
      if (i > 0 && s.number() != segments.get(i - 1).number() + 1) {
        long missing = segments.get(i - 1).number() + 1;
        throw new JournalGapException(dir.resolve(SegmentFiles.openName(missing)), missing,
            prefix + "segment " + missing + " is missing between " + segments.get(i - 1).fileName() + " and "
                + s.fileName());
      }
      if (s.number() <= purgedThrough) {
        LOG.warn("{}pass 3 (inventory): {} is at or below the purge mark {}; it will be purged again", prefix,
            s.fileName(), purgedThrough);
      }
    }
    LOG.info("{}pass 3 (inventory): {} segments{}", prefix, segments.size(), segments.isEmpty() ? ""
        : " from " + segments.getFirst().number() + " to " + segments.getLast().number());
    return segments;
  }

  private void pass4Headers(UUID id, List<SegmentFile> segments) throws IOException {
    for (SegmentFile s : segments) {
      if (s.open()) {
        continue;
      }
      FrameReader.open(s.path(), s.number(), id, false).orElseThrow().close();
    }
    LOG.info("{}pass 4 (headers): {} sealed segment headers belong to journal {}", prefix,
        segments.size() - (segments.isEmpty() || !segments.getLast().open() ? 0 : 1), id);
  }

  private Optional<JournalWriter.OpenSegment> pass5TornTail(UUID id, SegmentFile s) throws IOException {
    long fileSize = Files.size(s.path());
    if (fileSize < SegmentFormat.HEADER_LENGTH) {
      return dropOpenSegment(s, "its header is incomplete (" + fileSize + " bytes): the crash came while creating it");
    }
    try (FrameReader frames = FrameReader.open(s.path(), s.number(), id, false).orElseThrow()) {
      long records = 0;
      Status status;
      while ((status = frames.next(fileSize)) == Status.RECORD) {
        records++;
      }
      long end = frames.recordOffset;
      if (status == Status.INVALID) {
        // A checksummed frame no torn write explains: truncating would drop what follows it.
        throw frames.corruption(frames.problem + "; refusing to truncate the open segment there");
      }
      if (status != Status.END) {
        truncate(s.path(), end, fileSize, frames.problem);
      }
      if (records == 0) {
        return dropOpenSegment(s, "it holds no whole record");
      }
      LOG.info("{}pass 5 (torn tail): open segment {} holds {} records, {} bytes", prefix, s.fileName(), records, end);
      return Optional.of(new JournalWriter.OpenSegment(s.path(), frames.header, end, records,
          config.clock().instant()));
    } catch (JournalCorruptionException e) {
      if (e.offset() < SegmentFormat.HEADER_LENGTH && e.offset() >= 0 && fileSize == SegmentFormat.HEADER_LENGTH) {
        return dropOpenSegment(s, "its header is torn (" + e.getMessage() + ")");
      }
      throw e;
    }
  }

  /**
   * A consumer that acknowledged more than the journal now holds (its tail was lost after the
   * acknowledgement) would otherwise see the GTIDs it has applied handed out again for other
   * transactions: refuse to open, naming both.
   */
  private void pass6Consumers(UUID id) throws IOException {
    ConsumerCheck check = new ConsumerCheck(dir, id);
    Map<String, Consumers.Acknowledged> acknowledged = new Consumers(dir).acknowledged();
    ConsumerAheadException first = null;
    StringBuilder all = new StringBuilder();
    for (var e : acknowledged.entrySet()) {
      try {
        check.check(new ConsumerCheck.Claim(e.getKey(), e.getValue().position(), e.getValue().gtid(),
            OptionalLong.empty()));
      } catch (ConsumerAheadException ahead) {
        first = first == null ? ahead : first;
        all.append(all.isEmpty() ? "" : "\n").append(ahead.getMessage());
      }
    }
    if (first != null) {
      throw first.withMessage(all.toString());
    }
    LOG.info("{}pass 6 (consumers): the journal holds what its {} consumers acknowledged", prefix,
        acknowledged.size());
  }

  private void truncate(Path path, long end, long fileSize, String problem) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
      ch.truncate(end);
      ch.force(true);
    }
    LOG.warn("{}pass 5 (torn tail): truncated {} at offset {}, dropping {} bytes of an unfinished write ({})",
        prefix, path.getFileName(), end, fileSize - end, problem);
  }

  private Optional<JournalWriter.OpenSegment> dropOpenSegment(SegmentFile s, String why) throws IOException {
    Files.delete(s.path());
    DurableFiles.fsyncDirectory(dir);
    LOG.warn("{}pass 5 (torn tail): deleted open segment {} because {}", prefix, s.fileName(), why);
    return Optional.empty();
  }

  static long readPurgedThrough(Path dir) throws IOException {
    Path file = SegmentFiles.purgedFile(dir);
    if (!Files.exists(file)) {
      return 0;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IOException(file + ": '" + text + "' is not a segment number", e);
    }
  }
}
