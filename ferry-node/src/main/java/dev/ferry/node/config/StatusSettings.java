package dev.ferry.node.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code status:} section. Immutable; never null.
 *
 * @param file where the node writes its status (JSON); key {@code status.file}, default
 *     {@code <journal.dir>/status.json}
 */
public record StatusSettings(Path file) {
  public StatusSettings {
    Objects.requireNonNull(file, "file");
  }
}
