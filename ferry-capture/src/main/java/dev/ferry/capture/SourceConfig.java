package dev.ferry.capture;

/** What every source's capture configuration names: the source and the GTIDs it stamps. */
public interface SourceConfig {
  /** The source's name, as logs and status show it. */
  String name();

  /** The JDBC URL of the source database. */
  String jdbcUrl();

  /** The GTID domain of this source's transactions. */
  long gtidDomain();

  /** The GTID server id stamped on this source's transactions. */
  long serverId();
}
