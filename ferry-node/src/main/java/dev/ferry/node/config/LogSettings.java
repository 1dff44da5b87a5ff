package dev.ferry.node.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code log:} section. Immutable; no component is null.
 *
 * @param dir where {@code replication.log} is written; key {@code log.dir}, default the journal directory
 * @param level the least severe level written; key {@code log.level}, default info
 */
public record LogSettings(Path dir, Level level) {
  /** Levels as written in the file: {@code debug}, {@code info}, {@code warn}. */
  public enum Level {
    DEBUG, INFO, WARN
  }

  public LogSettings {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(level, "level");
  }

  /** {@code <dir>/replication.log}. */
  public Path file() {
    return dir.resolve("replication.log");
  }
}
