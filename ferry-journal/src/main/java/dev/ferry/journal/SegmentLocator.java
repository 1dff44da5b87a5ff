package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Finds and opens segment N for a reader, telling apart "not written yet", "purged" and "missing"
 * (a gap). Thread-safe (stateless apart from immutable fields).
 */
final class SegmentLocator {
  final Path dir;
  final UUID journalId;

  SegmentLocator(Path dir, UUID journalId) {
    this.dir = dir;
    this.journalId = journalId;
  }

  /**
   * Opens segment {@code number}; empty if it does not exist yet (or its header is still being
   * written).
   *
   * @throws PositionPurgedException if it was purged
   * @throws JournalGapException if it is missing while later segments exist
   */
  Optional<FrameReader> open(long number, JournalPosition wanted) throws IOException {
    Optional<SegmentFile> file = SegmentFiles.find(dir, number);
    if (file.isEmpty()) {
      checkAbsent(number, wanted);
      return Optional.empty();
    }
    try {
      return FrameReader.open(file.get().path(), number, journalId, file.get().open());
    } catch (java.nio.file.NoSuchFileException e) {
      // Sealed (renamed) between the look and the open: look again next time.
      return Optional.empty();
    }
  }

  private void checkAbsent(long number, JournalPosition wanted) throws IOException {
    long purgedThrough = JournalRecovery.readPurgedThrough(dir);
    if (number <= purgedThrough) {
      throw new PositionPurgedException(wanted, purgedThrough, dir.toString());
    }
    for (SegmentFile later : SegmentFiles.list(dir)) {
      if (later.number() > number) {
        throw new JournalGapException(dir.resolve(SegmentFiles.openName(number)), number, "journal " + dir
            + ": segment " + number + " is missing (not purged; purged through " + purgedThrough
            + ") while " + later.fileName() + " exists; needed for position " + wanted);
      }
    }
  }

  /** Whether segment {@code number} is sealed (its open file is gone). */
  boolean sealed(long number) {
    return !Files.exists(dir.resolve(SegmentFiles.openName(number)));
  }
}
