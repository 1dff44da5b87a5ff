package dev.ferry.node.run;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * How much of its log the source keeps for Ferry, as a running node shows it in status and
 * metrics: read from the source ({@link SourceSpec#retainedLogBytes}, one short query) at most
 * every {@link #EVERY}, on a thread of its own, so the status a node publishes every second never
 * waits on the source. Thread-safe.
 */
final class RetainedLog {
  static final Duration EVERY = Duration.ofSeconds(10);
  private final Supplier<Optional<Long>> read;
  private final AtomicBoolean reading = new AtomicBoolean();
  private volatile Optional<Long> latest = Optional.empty();
  private volatile long readAt = Long.MIN_VALUE;

  RetainedLog(Supplier<Optional<Long>> read) {
    this.read = read;
  }

  /** The last value read (empty before the first read ends, or when the source could not be read); starts a read when due. */
  Optional<Long> latest() {
    long now = System.nanoTime();
    if ((readAt == Long.MIN_VALUE || now - readAt >= EVERY.toNanos()) && reading.compareAndSet(false, true)) {
      readAt = now;
      Thread.ofVirtual().name("ferry-retained-log").start(() -> {
        try {
          latest = read.get();
        } finally {
          reading.set(false);
        }
      });
    }
    return latest;
  }
}
