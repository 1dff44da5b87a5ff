package dev.ferry.capture.postgres;

import dev.ferry.capture.SourceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Typed settings of one PostgreSQL source, validated here once.
 *
 * @param name the source's name in logs and errors ({@code [source <name>]})
 * @param jdbcUrl a normal JDBC URL of the source database, with the user (the replication
 *     connection is derived from it)
 * @param slotName the logical replication slot; default {@code ferry_<name>}
 * @param publicationName the publication; default {@code ferry_<name>}
 * @param include regular expressions a table's {@code schema.table} must fully match to be
 *     captured; default {@code public\..*}
 * @param exclude regular expressions that exclude a table matched by {@code include}; default none
 * @param gtidDomain the GTID domain of this source's transactions
 * @param serverId the GTID server id of this source's transactions
 * @param chunkChanges a transaction with more changes than this is written in chunks; default 4096
 * @param chunkBytes a transaction holding more value bytes than this is written in chunks; default 8 MiB
 * @param statusInterval how often the slot's flushed position is reported; default 1 s
 * @param reconnectMin first wait before reconnecting after a lost connection; default 200 ms
 * @param reconnectMax longest wait between reconnects; default 10 s
 * @param streaming whether the server streams transactions still in progress (pgoutput protocol
 *     version 2, PostgreSQL 14+) once they outgrow its {@code logical_decoding_work_mem}; default off
 * @param forwardOrigins capture transactions that carry a replication origin (written by Ferry's or
 *     PostgreSQL's own apply sessions) too; default false: they are skipped, so what a replica applied
 *     is never captured again into a loop (docs/failover.md#loops)
 */
public record PostgresSourceConfig(String name, String jdbcUrl, String slotName, String publicationName,
    List<Pattern> include, List<Pattern> exclude, long gtidDomain, long serverId, int chunkChanges,
    long chunkBytes, Duration statusInterval, Duration reconnectMin, Duration reconnectMax, boolean streaming,
    boolean forwardOrigins)
    implements SourceConfig {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public PostgresSourceConfig {
    require(name != null && !name.isBlank(), "name", "must not be blank");
    require(jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:"), "jdbc-url",
        "must start with jdbc:postgresql:, got " + jdbcUrl);
    require(slotName != null && IDENTIFIER.matcher(slotName).matches(), "slot",
        "must be a lower-case identifier (a-z, 0-9, _), got " + slotName);
    require(publicationName != null && IDENTIFIER.matcher(publicationName).matches(), "publication",
        "must be a lower-case identifier (a-z, 0-9, _), got " + publicationName);
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    require(!include.isEmpty(), "include", "needs at least one pattern");
    require(chunkChanges > 0, "chunk-changes", "must be positive, got " + chunkChanges);
    require(chunkBytes > 0, "chunk-bytes", "must be positive, got " + chunkBytes);
    require(positive(statusInterval), "status-interval", "must be positive, got " + statusInterval);
    require(positive(reconnectMin), "reconnect-min", "must be positive, got " + reconnectMin);
    require(positive(reconnectMax) && reconnectMax.compareTo(reconnectMin) >= 0, "reconnect-max",
        "must be at least reconnect-min, got " + reconnectMax);
  }

  /** A source with the defaults: slot and publication {@code ferry_<name>}, tables {@code public.*}. */
  public static PostgresSourceConfig of(String name, String jdbcUrl) {
    String id = "ferry_" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return new PostgresSourceConfig(name, jdbcUrl, id, id, List.of(Pattern.compile("public\\..*")), List.of(),
        0, 1, 4096, 8L << 20, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(10), false, false);
  }

  public PostgresSourceConfig withTables(List<String> includeRegex, List<String> excludeRegex) {
    return new PostgresSourceConfig(name, jdbcUrl, slotName, publicationName, compile(includeRegex),
        compile(excludeRegex), gtidDomain, serverId, chunkChanges, chunkBytes, statusInterval, reconnectMin,
        reconnectMax, streaming, forwardOrigins);
  }

  public PostgresSourceConfig withJdbcUrl(String url) {
    return new PostgresSourceConfig(name, url, slotName, publicationName, include, exclude, gtidDomain,
        serverId, chunkChanges, chunkBytes, statusInterval, reconnectMin, reconnectMax, streaming, forwardOrigins);
  }

  public PostgresSourceConfig withChunking(int changes, long bytes) {
    return new PostgresSourceConfig(name, jdbcUrl, slotName, publicationName, include, exclude, gtidDomain,
        serverId, changes, bytes, statusInterval, reconnectMin, reconnectMax, streaming, forwardOrigins);
  }

  public PostgresSourceConfig withGtid(long domain, long server) {
    return new PostgresSourceConfig(name, jdbcUrl, slotName, publicationName, include, exclude, domain,
        server, chunkChanges, chunkBytes, statusInterval, reconnectMin, reconnectMax, streaming, forwardOrigins);
  }

  public PostgresSourceConfig withStreaming(boolean on) {
    return new PostgresSourceConfig(name, jdbcUrl, slotName, publicationName, include, exclude, gtidDomain,
        serverId, chunkChanges, chunkBytes, statusInterval, reconnectMin, reconnectMax, on, forwardOrigins);
  }

  public PostgresSourceConfig withForwardOrigins(boolean forward) {
    return new PostgresSourceConfig(name, jdbcUrl, slotName, publicationName, include, exclude, gtidDomain,
        serverId, chunkChanges, chunkBytes, statusInterval, reconnectMin, reconnectMax, streaming, forward);
  }

  /** Whether {@code schema.table} is captured. */
  boolean selects(String schema, String table) {
    String qualified = schema + "." + table;
    return include.stream().anyMatch(p -> p.matcher(qualified).matches())
        && exclude.stream().noneMatch(p -> p.matcher(qualified).matches());
  }

  private static List<Pattern> compile(List<String> regexes) {
    return regexes.stream().map(Pattern::compile).toList();
  }

  private static boolean positive(Duration d) {
    return d != null && d.isPositive();
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("PostgreSQL source setting '" + key + "' " + problem);
    }
  }
}
