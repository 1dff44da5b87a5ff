package dev.ferry.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Settings of a {@link Journal}, validated once here. Start from {@link #defaults(Path)} and
 * change what you need with the {@code with...} methods. Immutable; components never null.
 *
 * @param directory the journal directory (created if missing)
 * @param segmentBytes seal a segment once it holds this many bytes (default 64 MiB)
 * @param segmentAge seal a segment this long after it was opened, so an idle source still ships
 *     what it has (default 60 s)
 * @param maxQueuedBytes appends block while this many bytes wait for the writer (default 16 MiB)
 * @param keepUntilShipped whether a sealed segment stays (SEALED, never purged) until a shipper
 *     reports it shipped through {@link Journal#shipping()} (default false: sealed segments may be
 *     purged once no consumer needs them). Shippers (an archive directory or command, transports)
 *     live in ferry-transport; whoever configures one sets this.
 * @param retainedBytesCap if above 0, purge forces out the oldest sealed segments, acknowledged or
 *     not, while the journal is bigger than this (default 0: no cap)
 * @param clock time source for segment age (default the system clock)
 */
public record JournalConfig(Path directory, long segmentBytes, Duration segmentAge, long maxQueuedBytes,
    boolean keepUntilShipped, long retainedBytesCap, InstantSource clock) {
  public JournalConfig {
    require(directory != null, "directory", "must be set");
    require(segmentBytes >= 4096, "segmentBytes", "must be at least 4096, got " + segmentBytes);
    require(segmentAge != null && segmentAge.isPositive(), "segmentAge", "must be positive, got " + segmentAge);
    require(maxQueuedBytes >= 64 << 10, "maxQueuedBytes", "must be at least 64 KiB, got " + maxQueuedBytes);
    require(retainedBytesCap >= 0, "retainedBytesCap", "must be 0 (no cap) or more, got " + retainedBytesCap);
    require(clock != null, "clock", "must be set");
  }

  private static void require(boolean ok, String key, String message) {
    if (!ok) {
      throw new IllegalArgumentException("journal setting " + key + " " + message);
    }
  }

  public static JournalConfig defaults(Path directory) {
    return new JournalConfig(directory, 64L << 20, Duration.ofSeconds(60), 16L << 20, false, 0,
        InstantSource.system());
  }

  public JournalConfig withSegmentBytes(long bytes) {
    return new JournalConfig(directory, bytes, segmentAge, maxQueuedBytes, keepUntilShipped, retainedBytesCap,
        clock);
  }

  public JournalConfig withSegmentAge(Duration age) {
    return new JournalConfig(directory, segmentBytes, age, maxQueuedBytes, keepUntilShipped, retainedBytesCap,
        clock);
  }

  public JournalConfig withKeepUntilShipped(boolean keep) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, keep, retainedBytesCap, clock);
  }

  public JournalConfig withRetainedBytesCap(long bytes) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, keepUntilShipped, bytes, clock);
  }

  public JournalConfig withClock(InstantSource source) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, keepUntilShipped, retainedBytesCap,
        source);
  }
}
