package dev.ferry.capture;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;

/**
 * The last transaction a sink holds durably for one source: where capture resumes after a
 * restart. Capture continues the GTID sequence after {@code gtid}, starts from
 * {@code schemaSequence} and drops re-sent transactions at or before {@code position}.
 *
 * <p>Immutable and thread-safe; no component is null.
 */
public record ResumePoint(Gtid gtid, long schemaSequence, SourcePosition position) {
  public ResumePoint {
    if (gtid == null || position == null) {
      throw new IllegalArgumentException("resume point gtid and position must not be null");
    }
  }
}
