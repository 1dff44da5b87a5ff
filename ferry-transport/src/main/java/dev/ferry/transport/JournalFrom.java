package dev.ferry.transport;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a replica node's journal copy comes from ({@code journal.from} in {@code ferry.yaml}).
 * Immutable; components never null.
 */
public sealed interface JournalFrom {
  /**
   * An incoming directory that some file transfer fills with the primary's sealed segments (its
   * {@code journal.archive.dir}, an {@code archive.command}, rsync, scp, a shared volume).
   *
   * @param incoming the directory scanned
   * @param pollInterval how long to wait between scans when the next segment is not there (default 1 s)
   */
  record Directory(Path incoming, Duration pollInterval) implements JournalFrom {
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    public Directory {
      if (incoming == null) {
        throw new IllegalArgumentException("journal.from directory must be set");
      }
      if (pollInterval == null || !pollInterval.isPositive()) {
        throw new IllegalArgumentException("journal.from poll-interval must be positive, got " + pollInterval);
      }
    }

    public Directory(Path incoming) {
      this(incoming, DEFAULT_POLL);
    }
  }
}
