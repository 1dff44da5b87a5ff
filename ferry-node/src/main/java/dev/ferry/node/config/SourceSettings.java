package dev.ferry.node.config;

import dev.ferry.node.run.SourceSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code source:} section: the one database whose committed transactions Ferry captures.
 * Immutable; no component is null. The capture's own settings ({@code slot}, {@code publication},
 * {@code chunk-changes}, {@code poll-interval}, the table filter and GTID identity) are read
 * straight into {@link #capture()}, with that capture's defaults for keys not given.
 * {@link #toString()} redacts the password and any credential in the URL.
 *
 * @param url the source database; key {@code source.url}
 * @param password the password, given apart from the URL; key {@code source.password}. Not in
 *     {@code capture}: the capture config has no place for it and its {@code toString()} would show it
 * @param tables which tables are captured, as the file selects them; key {@code source.tables}
 * @param capture what the node captures, built from the keys above and the kind's own keys
 */
public record SourceSettings(JdbcUrl url, Optional<Secret> password, Tables tables, SourceSpec capture) {

  public SourceSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(tables, "tables");
    Objects.requireNonNull(capture, "capture");
  }

  /** The source's name in logs ({@code [source <name>]}); key {@code source.name}. */
  public String name() {
    return capture.name();
  }

  /** The GTID domain and server id stamped on captured transactions; key {@code source.gtid}. */
  public GtidSettings gtid() {
    return new GtidSettings(capture.gtidDomain(), capture.serverId());
  }

  /** Without the capture's JDBC URL, which is not redacted. */
  @Override
  public String toString() {
    return "SourceSettings[name=" + name() + ", kind=" + capture.kind() + ", url=" + url + ", password="
        + password.map(p -> "****") + ", tables=" + tables + ", gtid=" + gtid() + "]";
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
