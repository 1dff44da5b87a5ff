package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Read-only views of a journal directory for tools ({@code ferry journal ls|dump}); safe to use
 * while a writer runs in another process. For {@code dump}, open a {@link JournalReader}
 * ({@link JournalReader#openAtOldest}, {@link JournalReader#openAfter}) and call
 * {@code next(Duration.ZERO)} until it returns empty. Thread-safe (stateless).
 */
public final class JournalInspector {
  private JournalInspector() {
  }

  /** The journal's UUID from its {@code journal.id}. */
  public static UUID journalId(Path dir) throws IOException {
    return JournalIdentity.read(dir);
  }

  /** The highest purged segment number (0 if none was purged). */
  public static long purgedThrough(Path dir) throws IOException {
    return JournalRecovery.readPurgedThrough(dir);
  }

  /**
   * Bytes of journal after {@code from} up to the end of the newest segment, from file sizes alone
   * (no record is read): how far a consumer at {@code from} is behind. 0 at the end.
   */
  public static long bytesAfter(Path dir, JournalPosition from) throws IOException {
    long total = 0;
    for (SegmentFile s : SegmentFiles.list(dir)) {
      if (s.number() < from.segment()) {
        continue;
      }
      long size;
      try {
        size = Files.size(s.path());
      } catch (java.nio.file.NoSuchFileException e) {
        continue; // sealed (renamed) or purged while we looked
      }
      total += s.number() == from.segment() ? Math.max(0, size - from.offset()) : size;
    }
    return total;
  }

  /**
   * Every segment in the directory, oldest first, with its state, size, record count and first and
   * last GTID. Reads every record frame (cost grows with the journal); stops counting a segment at
   * its first bad or incomplete frame (use {@link JournalVerifier} to find out why).
   */
  public static List<SegmentInfo> list(Path dir) throws IOException {
    UUID id = JournalIdentity.read(dir);
    for (int attempt = 1; ; attempt++) {
      try {
        List<SegmentInfo> infos = new ArrayList<>();
        for (SegmentFile s : SegmentFiles.list(dir)) {
          infos.add(inspect(dir, id, s));
        }
        return infos;
      } catch (java.nio.file.NoSuchFileException e) {
        // A running journal sealed (renamed) or purged a segment between listing and opening it.
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static SegmentInfo inspect(Path dir, UUID id, SegmentFile s) throws IOException {
    SegmentState state = s.open() ? SegmentState.OPEN
        : Files.exists(SegmentFiles.archiveMarker(dir, s.fileName())) ? SegmentState.ARCHIVED : SegmentState.SEALED;
    Optional<FrameReader> opened = FrameReader.open(s.path(), s.number(), id, true);
    if (opened.isEmpty()) {
      return new SegmentInfo(s.number(), state, s.path(), Files.size(s.path()), 0, Optional.empty(), Optional.empty());
    }
    try (FrameReader frames = opened.get()) {
      long size = frames.size();
      long records = 0;
      Gtid last = null;
      while (frames.next(size) == Status.RECORD) {
        records++;
        if (!frames.streamed() || frames.type == SegmentFormat.RecordType.COMMIT) {
          last = frames.gtid;
        }
      }
      return new SegmentInfo(s.number(), state, s.path(), size, records,
          Optional.of(frames.header.firstGtid()), Optional.ofNullable(last));
    }
  }

  /**
   * The segment files in {@code dir} (a journal, a journal copy, an archive directory), by number,
   * as {@link SegmentFiles} names them: sealed and open. For another copy to take them
   * ({@code ferry promote --fetch-from}).
   */
  public static java.util.SortedMap<Long, Path> segmentFiles(Path dir) throws IOException {
    java.util.SortedMap<Long, Path> files = new java.util.TreeMap<>();
    for (SegmentFile s : SegmentFiles.list(dir)) {
      files.put(s.number(), s.path());
    }
    return files;
  }

  /**
   * The bytes of open segment {@code number} of journal {@code journalId} in {@code file} up to the
   * end of its last whole, valid record: a torn tail (a writer killed mid-append, or still writing)
   * is left out, as recovery would truncate it. Empty when the file holds less than a header.
   *
   * @throws JournalMismatchException if the segment belongs to another journal
   */
  public static byte[] wholeRecords(Path file, long number, UUID journalId) throws IOException {
    Optional<FrameReader> opened = FrameReader.open(file, number, journalId, true);
    if (opened.isEmpty()) {
      return new byte[0];
    }
    long end;
    try (FrameReader frames = opened.get()) {
      long size = frames.size();
      while (frames.next(size) == Status.RECORD) {
        // count on
      }
      end = frames.recordOffset;
    }
    byte[] bytes = new byte[(int) end];
    try (java.io.InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
        throw new IOException(file + " is shorter than " + end + " bytes: truncated while it was read");
      }
    }
    return bytes;
  }
}
