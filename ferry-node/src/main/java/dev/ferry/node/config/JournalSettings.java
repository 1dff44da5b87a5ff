package dev.ferry.node.config;

import dev.ferry.journal.ArchiveTarget;
import dev.ferry.journal.JournalConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code journal:} section. Immutable; no component is null. Paths are absolute (relative ones
 * in the file are resolved against the file's directory).
 *
 * @param dir the journal directory; key {@code journal.dir}, required; created by commands, not by loading
 * @param segmentSize seal a segment at this size; key {@code journal.segment-size}, default 64 MiB, at least 4 KiB
 * @param segmentAge seal a segment this long after it was opened; key {@code journal.segment-age}, default 60 s
 * @param archive where sealed segments go: {@code journal.archive.dir} or {@code journal.archive.command}; default none
 * @param retain cap on the journal's size, 0 for none; key {@code journal.retain}, default 0
 */
public record JournalSettings(Path dir, DataSize segmentSize, Duration segmentAge, ArchiveTarget archive,
    DataSize retain) {
  public static final DataSize DEFAULT_SEGMENT_SIZE = DataSize.ofMebibytes(64);
  public static final DataSize MIN_SEGMENT_SIZE = DataSize.ofKibibytes(4);
  public static final Duration DEFAULT_SEGMENT_AGE = Duration.ofSeconds(60);

  public JournalSettings {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(segmentSize, "segmentSize");
    Objects.requireNonNull(segmentAge, "segmentAge");
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(retain, "retain");
  }

  /** The journal module's settings for these, other settings at the journal's defaults. */
  public JournalConfig toJournalConfig() {
    return JournalConfig.defaults(dir)
        .withSegmentBytes(segmentSize.bytes())
        .withSegmentAge(segmentAge)
        .withArchive(archive)
        .withRetainedBytesCap(retain.bytes());
  }
}
