package dev.ferry.journal;

import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;

/**
 * A reader asked for a position whose segment was purged (for instance by the size cap before its
 * consumer acknowledged it). The journal never jumps forward silently: the replica reading from
 * here must be re-initialised from a fresh copy of the source.
 */
public class PositionPurgedException extends IOException {
  private final JournalPosition position;
  private final long purgedThrough;

  public PositionPurgedException(JournalPosition position, long purgedThrough, String directory) {
    super("journal " + directory + ": position " + position + " purged (segments up to " + purgedThrough
        + " are gone), replica must be re-initialised");
    this.position = position;
    this.purgedThrough = purgedThrough;
  }

  public JournalPosition position() {
    return position;
  }

  /** The highest purged segment number. */
  public long purgedThrough() {
    return purgedThrough;
  }
}
