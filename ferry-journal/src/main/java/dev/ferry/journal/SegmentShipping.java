package dev.ferry.journal;

import java.io.IOException;

/**
 * The journal's side of shipping sealed segments elsewhere (an archive directory or command, a
 * transport): the journal hands out each sealed segment not yet shipped, oldest first, and keeps
 * it — SEALED, never purged — until the shipper reports it {@link #shipped}; it is then ARCHIVED
 * and purged once no consumer needs it. A journal opened with
 * {@link JournalConfig#keepUntilShipped()} offers this through {@link Journal#shipping()}.
 *
 * <p>Thread-safe, but meant for one shipper per journal: each segment is handed out once per open
 * journal. Segments sealed before the journal was opened and not shipped come first.
 */
public interface SegmentShipping {
  /**
   * Waits for the next sealed segment that has not been shipped.
   *
   * @throws InterruptedException when the shipper's thread is interrupted (stopping)
   */
  SealedSegment next() throws InterruptedException;

  /**
   * Records, durably ({@link SegmentFiles#archiveMarker}), that {@code segment} was shipped: it
   * becomes ARCHIVED and may be purged. Call only once its copy is durable where it went.
   *
   * @throws IOException if the marker could not be written; the segment stays SEALED
   */
  void shipped(SealedSegment segment) throws IOException;
}
