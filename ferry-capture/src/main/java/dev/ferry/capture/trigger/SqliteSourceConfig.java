package dev.ferry.capture.trigger;

import dev.ferry.capture.SourceConfig;
import dev.ferry.journal.model.TableFilter;
import java.time.Duration;

/**
 * Settings of a SQLite source captured by triggers. Immutable.
 *
 * @param name the source's name in logs and errors ({@code [source <name>]})
 * @param jdbcUrl {@code jdbc:sqlite:/path/app.db}
 * @param tables which tables are captured (regexes on {@code main.table})
 * @param gtidDomain GTID domain of the transactions this source produces
 * @param serverId GTID server id of this source
 * @param chunkChanges a captured group bigger than this is written to the journal in chunks
 * @param idlePoll longest wait between polls when the source is idle (polls are immediate
 *     under load and back off towards this when nothing changes)
 * @param forwardApplied capture also the changes Ferry's apply wrote to this database (between its
 *     marks in the change table); by default they are skipped so nothing loops back
 */
public record SqliteSourceConfig(String name, String jdbcUrl, TableFilter tables, long gtidDomain, long serverId,
    int chunkChanges, Duration idlePoll, boolean forwardApplied) implements SourceConfig {
  public SqliteSourceConfig {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("source.name must be set");
    }
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:sqlite:")) {
      throw new IllegalArgumentException("source.url for trigger capture must start with jdbc:sqlite:, got " + jdbcUrl);
    }
    if (chunkChanges < 1) {
      throw new IllegalArgumentException("chunkChanges must be at least 1, got " + chunkChanges);
    }
    if (idlePoll == null || idlePoll.isNegative() || idlePoll.isZero()) {
      throw new IllegalArgumentException("idlePoll must be positive, got " + idlePoll);
    }
  }

  /** All tables, domain 0, server id 1, chunks of 10,000 changes, idle poll 200 ms. */
  public static SqliteSourceConfig of(String name, String jdbcUrl) {
    return new SqliteSourceConfig(name, jdbcUrl, TableFilter.allOf("main"), 0, 1, 10_000, Duration.ofMillis(200), false);
  }

  public SqliteSourceConfig withTables(TableFilter filter) {
    return new SqliteSourceConfig(name, jdbcUrl, filter, gtidDomain, serverId, chunkChanges, idlePoll, forwardApplied);
  }

  public SqliteSourceConfig withChunkChanges(int changes) {
    return new SqliteSourceConfig(name, jdbcUrl, tables, gtidDomain, serverId, changes, idlePoll, forwardApplied);
  }

  public SqliteSourceConfig withGtid(long domain, long server) {
    return new SqliteSourceConfig(name, jdbcUrl, tables, domain, server, chunkChanges, idlePoll, forwardApplied);
  }

  public SqliteSourceConfig withIdlePoll(Duration poll) {
    return new SqliteSourceConfig(name, jdbcUrl, tables, gtidDomain, serverId, chunkChanges, poll, forwardApplied);
  }

  public SqliteSourceConfig withForwardApplied(boolean forward) {
    return new SqliteSourceConfig(name, jdbcUrl, tables, gtidDomain, serverId, chunkChanges, idlePoll, forward);
  }
}
