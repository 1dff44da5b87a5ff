package dev.ferry.transport;

import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.time.Duration;

/**
 * What keeps a replica node's journal copy fed, whatever the transport: a {@link CopyReceiver}
 * pulling from a {@link SegmentSource}, or a push receiver a primary streams to. Thread-safe.
 */
public interface CopyFeed extends AutoCloseable {
  /** What the link is doing now. */
  LinkStatus status();

  /** Waits until the copy exists (it has its first segment, so its UUID); false when the time ran out. */
  boolean awaitCopy(Duration timeout) throws InterruptedException;

  /**
   * Whether a primary waits for what this node's replicas commit (a synchronous push link at level
   * {@code apply} is connected): then each replica reports every commit at once through
   * {@link #applied}. False for every other transport and level; cheap (a volatile read).
   */
  default boolean awaitsApplied() {
    return false;
  }

  /**
   * Replica {@code replica} committed the copy up to {@code position} in its target: a primary that
   * waits for it ({@link #awaitsApplied}) is told at once, reports in a burst coalescing into one
   * acknowledgement. Any thread; returns at once.
   */
  default void applied(String replica, JournalPosition position) {
  }

  /** Stops receiving; what was received is in the copy whole (sealed segments) or record by record (the tail). */
  @Override
  void close() throws IOException, InterruptedException;
}
