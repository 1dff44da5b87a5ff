package dev.ferry.journal;

/** The life of a segment: OPEN → SEALED → ARCHIVED → PURGED. */
public enum SegmentState {
  /** Being written; the only segment that grows. */
  OPEN,
  /** Full or old enough: complete, read-only, ready to ship. */
  SEALED,
  /**
   * Shipped: a {@link SegmentShipping} shipper (archive directory or command, a transport) reported it,
   * and its marker is written durably.
   */
  ARCHIVED,
  /** Deleted from the journal directory. */
  PURGED
}
