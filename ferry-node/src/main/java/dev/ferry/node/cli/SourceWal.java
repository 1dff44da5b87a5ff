package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import java.util.Optional;

/**
 * How much of its log the source keeps for Ferry (a PostgreSQL slot's retained WAL), for
 * {@code ferry status}: the disk a stopped or lagging capture costs the source. Reads only.
 */
final class SourceWal {
  private SourceWal() {}

  /** Empty for a source that keeps no log for Ferry (SQLite), or when the source cannot be read. */
  static Optional<Long> retainedBytes(FerryConfig config) {
    return NodeSpecs.source(config.source()).retainedLogBytes();
  }
}
