package dev.ferry.journal;

/** The life of a segment: OPEN → SEALED → ARCHIVED → PURGED. */
public enum SegmentState {
  /** Being written; the only segment that grows. */
  OPEN,
  /** Full or old enough: complete, read-only, ready to ship. */
  SEALED,
  /** Shipped to the archive (directory or command succeeded; marker written durably). */
  ARCHIVED,
  /** Deleted from the journal directory. */
  PURGED
}
