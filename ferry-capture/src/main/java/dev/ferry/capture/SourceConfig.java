package dev.ferry.capture;

import dev.ferry.journal.model.Side;

/** What every source's capture configuration names: the source and the GTIDs it stamps. */
public interface SourceConfig {
  /** The source's name, as logs and status show it. */
  String name();

  /** The source's side, which starts its log lines and errors: {@code [source NAME]}. */
  default Side side() {
    return Side.source(name());
  }

  /** The JDBC URL of the source database. */
  String jdbcUrl();

  /** The GTID domain of this source's transactions. */
  long gtidDomain();

  /** The GTID server id stamped on this source's transactions. */
  long serverId();
}
