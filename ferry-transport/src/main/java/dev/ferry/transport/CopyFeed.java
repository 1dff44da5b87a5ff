package dev.ferry.transport;

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

  /** Stops receiving; what was received is in the copy whole (sealed segments) or record by record (the tail). */
  @Override
  void close() throws IOException, InterruptedException;
}
