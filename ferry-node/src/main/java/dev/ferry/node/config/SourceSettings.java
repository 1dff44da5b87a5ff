package dev.ferry.node.config;

import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.TableFilter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code source:} section: the one database whose committed transactions Ferry captures.
 * Immutable. No component is null; the optionals are empty when not applicable:
 * {@code slot} and {@code publication} are present exactly for a PostgreSQL source,
 * {@code pollInterval} exactly for a SQLite source. {@link #toString()} redacts the password and
 * any credential in the URL.
 *
 * @param name the source's name in logs ({@code [source <name>]}); key {@code source.name}
 * @param url the source database; key {@code source.url}
 * @param password the password, given apart from the URL; key {@code source.password}
 * @param tables which tables are captured; key {@code source.tables}
 * @param slot the PostgreSQL logical replication slot; default {@code ferry_<name>}
 * @param publication the PostgreSQL publication; default {@code ferry_<name>}
 * @param gtid the GTID domain and server id stamped on captured transactions
 * @param chunkChanges a transaction with more changes is journaled in chunks; default 4096
 * @param pollInterval longest wait between polls of an idle SQLite source; default 200 ms
 */
public record SourceSettings(String name, JdbcUrl url, Optional<Secret> password, Tables tables,
    Optional<String> slot, Optional<String> publication, GtidSettings gtid, int chunkChanges,
    Optional<Duration> pollInterval) {

  public SourceSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(tables, "tables");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(publication, "publication");
    Objects.requireNonNull(gtid, "gtid");
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (chunkChanges < 1) {
      throw new IllegalArgumentException("[source " + name + "] chunkChanges must be at least 1, got " + chunkChanges);
    }
  }

  /**
   * The PostgreSQL capture's settings for this source, other settings at the capture's defaults.
   * The separate {@link #password()} is not included: {@code PostgresSourceConfig} has no place
   * for it yet, and putting it into its URL would let its {@code toString()} show it.
   *
   * @throws IllegalStateException when the source is not PostgreSQL
   */
  public PostgresSourceConfig toPostgresConfig() {
    if (url.kind() != JdbcUrl.Kind.POSTGRESQL) {
      throw new IllegalStateException("[source " + name + "] is not PostgreSQL: " + url);
    }
    PostgresSourceConfig d = PostgresSourceConfig.of(name, url.value());
    return new PostgresSourceConfig(name, url.value(), slot.orElseThrow(), publication.orElseThrow(),
        includeOrAll(), tables.exclude(), gtid.domain(), gtid.serverId(), chunkChanges, d.chunkBytes(),
        d.statusInterval(), d.reconnectMin(), d.reconnectMax());
  }

  /**
   * The SQLite trigger capture's settings for this source.
   *
   * @throws IllegalStateException when the source is not SQLite
   */
  public SqliteSourceConfig toSqliteConfig() {
    if (url.kind() != JdbcUrl.Kind.SQLITE) {
      throw new IllegalStateException("[source " + name + "] is not SQLite: " + url);
    }
    return new SqliteSourceConfig(name, url.value(), new TableFilter(includeOrAll(), tables.exclude()),
        gtid.domain(), gtid.serverId(), chunkChanges, pollInterval.orElseThrow());
  }

  /** The capture modules read an empty include list as "no table"; here it means every table. */
  private List<Pattern> includeOrAll() {
    return tables.include().isEmpty() ? List.of(Pattern.compile(".*")) : tables.include();
  }

  /**
   * The GTID identity of a source's transactions.
   *
   * @param domain GTID domain, 0 to 2^32-1; key {@code source.gtid.domain}, default 0
   * @param serverId GTID server id, 0 to 2^32-1; key {@code source.gtid.server-id}, default 1
   */
  public record GtidSettings(long domain, long serverId) {
    public static final GtidSettings DEFAULT = new GtidSettings(0, 1);
    static final long MAX = 0xFFFF_FFFFL;

    public GtidSettings {
      if (domain < 0 || domain > MAX || serverId < 0 || serverId > MAX) {
        throw new IllegalArgumentException("GTID domain and server id must be 0.." + MAX + ", got "
            + domain + " and " + serverId);
      }
    }
  }
}
