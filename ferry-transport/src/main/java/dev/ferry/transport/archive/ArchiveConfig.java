package dev.ferry.transport.archive;

import java.time.Duration;

/**
 * Settings of the {@link Archiver}, validated once here. Start from {@link #defaults()}. Immutable;
 * components never null.
 *
 * @param target where sealed segments go (default none)
 * @param retryMin first wait after a failed archive attempt, doubling up to the max (default 1 s)
 * @param retryMax longest wait between archive attempts (default 60 s)
 */
public record ArchiveConfig(ArchiveTarget target, Duration retryMin, Duration retryMax) {
  public ArchiveConfig {
    require(target != null, "target", "must be set (ArchiveTarget.NONE for none)");
    require(retryMin != null && retryMin.isPositive(), "retryMin", "must be positive");
    require(retryMax != null && retryMax.compareTo(retryMin) >= 0, "retryMax", "must be at least retryMin");
  }

  private static void require(boolean ok, String key, String message) {
    if (!ok) {
      throw new IllegalArgumentException("archive setting " + key + " " + message);
    }
  }

  /** No archiving; 1 s to 60 s between attempts once a target is set. */
  public static ArchiveConfig defaults() {
    return new ArchiveConfig(ArchiveTarget.NONE, Duration.ofSeconds(1), Duration.ofSeconds(60));
  }

  public ArchiveConfig withTarget(ArchiveTarget to) {
    return new ArchiveConfig(to, retryMin, retryMax);
  }

  public ArchiveConfig withRetry(Duration min, Duration max) {
    return new ArchiveConfig(target, min, max);
  }

  /**
   * Whether sealed segments are archived at all. When they are, the journal must keep each one
   * until it is ({@code JournalConfig.withKeepUntilShipped(true)}).
   */
  public boolean enabled() {
    return !(target instanceof ArchiveTarget.None);
  }
}
