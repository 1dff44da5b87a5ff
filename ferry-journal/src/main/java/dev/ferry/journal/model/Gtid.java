package dev.ferry.journal.model;

import java.util.Comparator;

/**
 * A global transaction id as in MariaDB (MWL#170): replication domain, originating server and a
 * sequence number that grows within a domain, possibly with holes.
 *
 * <p>Text form {@code domain-serverId-seq}, e.g. {@code 0-1-4711}; {@link #parse} and
 * {@link #toString} round-trip. Ordering is deliberate: by domain, then by sequence number, then
 * by server id — within a domain the sequence number is the commit order, whichever server
 * committed. Immutable and thread-safe; no component is ever null.
 *
 * @param domain replication domain, 0 to 2^32-1
 * @param serverId originating server, 0 to 2^32-1
 * @param seq sequence number, 0 or more
 */
public record Gtid(long domain, long serverId, long seq) implements Comparable<Gtid> {
  /** The largest GTID domain or server id (an unsigned 32-bit number). */
  public static final long MAX_UINT32 = 0xFFFF_FFFFL;
  private static final Comparator<Gtid> ORDER = Comparator.comparingLong(Gtid::domain)
      .thenComparingLong(Gtid::seq).thenComparingLong(Gtid::serverId);

  public Gtid {
    if (domain < 0 || domain > MAX_UINT32) {
      throw new IllegalArgumentException("GTID domain must be 0.." + MAX_UINT32 + ", got " + domain);
    }
    if (serverId < 0 || serverId > MAX_UINT32) {
      throw new IllegalArgumentException("GTID server id must be 0.." + MAX_UINT32 + ", got " + serverId);
    }
    if (seq < 0) {
      throw new IllegalArgumentException("GTID sequence must be >= 0, got " + seq);
    }
  }

  /**
   * Parses {@code domain-serverId-seq}.
   *
   * @throws IllegalArgumentException naming the text if it is not a GTID
   */
  public static Gtid parse(String text) {
    String[] parts = text.split("-", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a GTID (expected domain-serverId-seq): '" + text + "'");
    }
    try {
      return new Gtid(parseUnsigned(parts[0]), parseUnsigned(parts[1]), parseUnsigned(parts[2]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a GTID: '" + text + "': " + e.getMessage(), e);
    }
  }

  private static long parseUnsigned(String part) {
    if (part.isEmpty() || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + part + "' is not a decimal number");
    }
    return Long.parseLong(part);
  }

  /** The GTID with the next sequence number in the same domain, from the same server. */
  public Gtid next() {
    return new Gtid(domain, serverId, seq + 1);
  }

  @Override
  public int compareTo(Gtid other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return domain + "-" + serverId + "-" + seq;
  }
}
