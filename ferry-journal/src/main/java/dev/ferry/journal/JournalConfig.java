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
 * @param archive where sealed segments go (default none)
 * @param archiveRetryMin first wait after a failed archive attempt, doubling up to the max
 *     (default 1 s)
 * @param archiveRetryMax longest wait between archive attempts (default 60 s)
 * @param retainedBytesCap if above 0, purge forces out the oldest sealed segments, acknowledged or
 *     not, while the journal is bigger than this (default 0: no cap)
 * @param clock time source for segment age (default the system clock)
 */
public record JournalConfig(Path directory, long segmentBytes, Duration segmentAge, long maxQueuedBytes,
    ArchiveTarget archive, Duration archiveRetryMin, Duration archiveRetryMax, long retainedBytesCap,
    InstantSource clock) {
  public JournalConfig {
    require(directory != null, "directory", "must be set");
    require(segmentBytes >= 4096, "segmentBytes", "must be at least 4096, got " + segmentBytes);
    require(segmentAge != null && segmentAge.isPositive(), "segmentAge", "must be positive, got " + segmentAge);
    require(maxQueuedBytes >= 64 << 10, "maxQueuedBytes", "must be at least 64 KiB, got " + maxQueuedBytes);
    require(archive != null, "archive", "must be set (ArchiveTarget.NONE for none)");
    require(archiveRetryMin != null && archiveRetryMin.isPositive(), "archiveRetryMin", "must be positive");
    require(archiveRetryMax != null && archiveRetryMax.compareTo(archiveRetryMin) >= 0, "archiveRetryMax",
        "must be at least archiveRetryMin");
    require(retainedBytesCap >= 0, "retainedBytesCap", "must be 0 (no cap) or more, got " + retainedBytesCap);
    require(clock != null, "clock", "must be set");
  }

  private static void require(boolean ok, String key, String message) {
    if (!ok) {
      throw new IllegalArgumentException("journal setting " + key + " " + message);
    }
  }

  public static JournalConfig defaults(Path directory) {
    return new JournalConfig(directory, 64L << 20, Duration.ofSeconds(60), 16L << 20, ArchiveTarget.NONE,
        Duration.ofSeconds(1), Duration.ofSeconds(60), 0, InstantSource.system());
  }

  public JournalConfig withSegmentBytes(long bytes) {
    return new JournalConfig(directory, bytes, segmentAge, maxQueuedBytes, archive, archiveRetryMin,
        archiveRetryMax, retainedBytesCap, clock);
  }

  public JournalConfig withSegmentAge(Duration age) {
    return new JournalConfig(directory, segmentBytes, age, maxQueuedBytes, archive, archiveRetryMin,
        archiveRetryMax, retainedBytesCap, clock);
  }

  public JournalConfig withArchive(ArchiveTarget target) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, target, archiveRetryMin,
        archiveRetryMax, retainedBytesCap, clock);
  }

  public JournalConfig withArchiveRetry(Duration min, Duration max) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, archive, min, max,
        retainedBytesCap, clock);
  }

  public JournalConfig withRetainedBytesCap(long bytes) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, archive, archiveRetryMin,
        archiveRetryMax, bytes, clock);
  }

  public JournalConfig withClock(InstantSource source) {
    return new JournalConfig(directory, segmentBytes, segmentAge, maxQueuedBytes, archive, archiveRetryMin,
        archiveRetryMax, retainedBytesCap, source);
  }
}
