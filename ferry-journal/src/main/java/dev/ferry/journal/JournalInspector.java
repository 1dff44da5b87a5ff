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
}
