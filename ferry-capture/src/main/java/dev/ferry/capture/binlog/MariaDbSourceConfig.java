package dev.ferry.capture.binlog;

import dev.ferry.capture.SourceConfig;
import dev.ferry.journal.model.TableFilter;
import java.time.Duration;

/**
 * Settings of a MariaDB source captured from its row-based binlog. Immutable.
 *
 * <p>The journal keeps MariaDB's own GTIDs (domain-server-seq), so this source stamps none of its
 * own: {@link #gtidDomain()} and {@link #serverId()} are 0 and only shown in status.
 *
 * @param name the source's name in logs and errors ({@code [source <name>]})
 * @param jdbcUrl {@code jdbc:mariadb://host:port/database?user=...&password=...}; the database
 *     named there is the one captured
 * @param tables which tables of that database are captured (regexes on the table name)
 * @param replicaServerId the {@code server_id} Ferry's binlog connection announces: it must differ
 *     from the source's own and from every other replica of that server
 * @param chunkChanges a transaction with more changes than this is written to the journal in chunks
 * @param reconnectMin first wait before reconnecting after the binlog connection was lost
 * @param reconnectMax longest wait between reconnect attempts
 * @param forwardApplied capture also the transactions Ferry applied to this database (those that
 *     write its progress table); by default their changes are skipped so nothing loops back
 */
public record MariaDbSourceConfig(String name, String jdbcUrl, TableFilter tables, long replicaServerId,
    int chunkChanges, Duration reconnectMin, Duration reconnectMax, boolean forwardApplied) implements SourceConfig {
  /** Ferry's default binlog {@code server_id}: high, so that it does not meet a server's own. */
  public static final long DEFAULT_REPLICA_SERVER_ID = 4_263_000_001L;

  public MariaDbSourceConfig {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("source.name must be set");
    }
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:mariadb:")) {
      throw new IllegalArgumentException("source.url for binlog capture must start with jdbc:mariadb:, got " + jdbcUrl);
    }
    if (tables == null) {
      throw new IllegalArgumentException("tables must not be null");
    }
    if (replicaServerId < 1 || replicaServerId > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("the binlog server id must be 1..4294967295, got " + replicaServerId);
    }
    if (chunkChanges < 1) {
      throw new IllegalArgumentException("chunkChanges must be at least 1, got " + chunkChanges);
    }
    if (reconnectMin == null || reconnectMax == null || reconnectMin.isNegative() || reconnectMax.compareTo(reconnectMin) < 0) {
      throw new IllegalArgumentException("reconnect waits must satisfy 0 <= min <= max, got " + reconnectMin + " and "
          + reconnectMax);
    }
  }

  /** Every table of the URL's database, the default binlog server id, chunks of 10,000 changes. */
  public static MariaDbSourceConfig of(String name, String jdbcUrl) {
    return new MariaDbSourceConfig(name, jdbcUrl, TableFilter.ALL, DEFAULT_REPLICA_SERVER_ID, 10_000,
        Duration.ofMillis(200), Duration.ofSeconds(10), false);
  }

  public MariaDbSourceConfig withTables(TableFilter filter) {
    return new MariaDbSourceConfig(name, jdbcUrl, filter, replicaServerId, chunkChanges, reconnectMin, reconnectMax, forwardApplied);
  }

  public MariaDbSourceConfig withReplicaServerId(long id) {
    return new MariaDbSourceConfig(name, jdbcUrl, tables, id, chunkChanges, reconnectMin, reconnectMax, forwardApplied);
  }

  public MariaDbSourceConfig withChunkChanges(int changes) {
    return new MariaDbSourceConfig(name, jdbcUrl, tables, replicaServerId, changes, reconnectMin, reconnectMax, forwardApplied);
  }

  public MariaDbSourceConfig withForwardApplied(boolean forward) {
    return new MariaDbSourceConfig(name, jdbcUrl, tables, replicaServerId, chunkChanges, reconnectMin, reconnectMax,
        forward);
  }

  public MariaDbSourceConfig withJdbcUrl(String url) {
    return new MariaDbSourceConfig(name, url, tables, replicaServerId, chunkChanges, reconnectMin, reconnectMax, forwardApplied);
  }

  /** No GTID domain of Ferry's own: the journal keeps MariaDB's GTIDs. */
  @Override
  public long gtidDomain() {
    return 0;
  }

  /** No server id of Ferry's own: the journal keeps MariaDB's GTIDs. */
  @Override
  public long serverId() {
    return 0;
  }

  /** Without the URL, which may hold a password. */
  @Override
  public String toString() {
    return "MariaDbSourceConfig[name=" + name + ", tables=" + tables + ", replicaServerId=" + replicaServerId
        + ", chunkChanges=" + chunkChanges + ", forwardApplied=" + forwardApplied + "]";
  }
}
