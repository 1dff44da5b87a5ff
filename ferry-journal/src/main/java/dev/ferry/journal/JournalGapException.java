package dev.ferry.journal;

import java.nio.file.Path;

/**
 * A segment is missing between segments that exist (and was not purged): the journal has a gap.
 * {@link #path()} is the file that should exist (its open-segment name; the sealed name also holds
 * a record count).
 */
public class JournalGapException extends JournalCorruptionException {
  private final long missingSegment;

  public JournalGapException(Path expected, long missingSegment, String message) {
    super(expected, 0, message);
    this.missingSegment = missingSegment;
  }

  public long missingSegment() {
    return missingSegment;
  }
}
