package dev.ferry.capture;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;

/**
 * The last transaction a sink holds durably for one source: where capture resumes after a
 * restart. Capture continues the GTID sequence after {@code gtid}, starts from
 * {@code schemaSequence} and drops re-sent transactions at or before {@code position}.
 *
 * <p>A <em>continuing</em> resume point ({@link #continuing}) has no position: the sink holds a
 * journal another source captured (a promoted node's copy of its old primary's journal), and this
 * source has appended nothing to it yet. Capture then numbers on after {@code gtid} and drops
 * nothing.
 *
 * <p>Immutable and thread-safe; no component is null.
 */
public record ResumePoint(Gtid gtid, long schemaSequence, SourcePosition position) {
  public ResumePoint {
    if (gtid == null || position == null) {
      throw new IllegalArgumentException("resume point gtid and position must not be null");
    }
  }

  /** Continues a journal captured from another source, after its last GTID {@code gtid}. */
  public static ResumePoint continuing(Gtid gtid, long schemaSequence) {
    return new ResumePoint(gtid, schemaSequence, SourcePosition.NONE);
  }

  /** Whether the sink holds nothing of this source yet, only a journal another source captured. */
  public boolean isContinuing() {
    return position.kind() == SourcePosition.Kind.NONE;
  }
}
