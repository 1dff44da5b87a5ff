package dev.ferry.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * Where a {@link CopyReceiver} gets the primary's sealed segments: an incoming directory, an HTTP
 * server. A source only fetches; the receiver checks, ingests, counts, purges and reports.
 * Called from the receiver's one thread.
 */
public interface SegmentSource {
  /** What the link reads from, as status shows it (the directory, the URL; never a secret). */
  String name();

  /** The kind of link, as status shows it: {@code directory}, {@code http}. */
  String kind();

  /** How long to wait between passes when nothing went wrong. */
  Duration pollInterval();

  /** The longest wait between passes after failures (the wait doubles from the poll interval up to this). */
  Duration retryMax();

  /**
   * One pass: offers the copy the segment it continues with ({@link Copy#next()}), then the one
   * after, and so on, strictly in order, until the next one is not there yet.
   *
   * @throws IOException when fetching failed (the pass is tried again after a wait); a refusal of
   *     the copy ({@code IngestRefusedException}) passes through
   */
  void pass(Copy copy) throws IOException, InterruptedException;

  /** The journal copy as a source sees it. */
  interface Copy {
    /** The number of the segment the copy continues with: 1 while there is no copy. */
    long next();

    /**
     * Ingests sealed segment {@code number} (it must be {@link #next()}), whose name says it holds
     * {@code records} records; a new copy takes its journal UUID from segment 1.
     *
     * @throws dev.ferry.journal.IngestRefusedException if the copy refuses it; nothing is written
     */
    void offer(long number, long records, byte[] bytes) throws IOException;

    /** The numbers of the sealed segments the copy holds (received and not purged). */
    java.util.Set<Long> held() throws IOException;

    /**
     * Checks bytes offered again for segment {@code number}, which the copy holds: the same bytes
     * are ignored, other bytes refused.
     */
    void checkHeld(long number, byte[] bytes) throws IOException;

    /** Whether the receiver is stopping: a long pass should end. */
    boolean stopping();
  }
}
