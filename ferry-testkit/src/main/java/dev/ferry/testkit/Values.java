package dev.ferry.testkit;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Column values for the bank workload, drawn from a seeded random source and bound the same way on
 * PostgreSQL and SQLite (time stamps as {@code timestamptz} there, as PostgreSQL's UTC text form
 * here, so both read back alike). Not thread-safe.
 */
final class Values {
  private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
  private static final DateTimeFormatter PG_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx");
  private static final String[] WORDS = {"alpha", "Grüße", "naïve", "日本語", "emoji 🚢", "O'Brien", "\"quoted\"",
      "tab\there", "line\nbreak", "back\\slash", "", " "};

  private final BankWorkload.Dialect dialect;
  private final SplittableRandom random;

  Values(BankWorkload.Dialect dialect, long seed) {
    this.dialect = dialect;
    this.random = new SplittableRandom(seed);
  }

  SplittableRandom random() {
    return random;
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** Binds id, owner, balance, rate, active, opened_at, note. */
  void bindAccount(PreparedStatement ps, long id, long balance) throws SQLException {
    ps.setLong(1, id);
    ps.setString(2, word() + " " + id);
    ps.setLong(3, balance);
    if (random.nextInt(10) == 0) {
      ps.setNull(4, Types.NUMERIC);
    } else {
      ps.setBigDecimal(4, BigDecimal.valueOf(random.nextLong(0, 10_000_000), 4));
    }
    bindBoolean(ps, 5, random.nextInt(5) != 0);
    bindTimestamp(ps, 6);
    ps.setString(7, random.nextInt(3) == 0 ? null : word());
  }

  void bindBoolean(PreparedStatement ps, int index, boolean value) throws SQLException {
    if (dialect == BankWorkload.Dialect.POSTGRES) {
      ps.setBoolean(index, value);
    } else {
      ps.setInt(index, value ? 1 : 0);
    }
  }

  void bindTimestamp(PreparedStatement ps, int index) throws SQLException {
    OffsetDateTime t = EPOCH.plusSeconds(random.nextLong(0, 3L * 365 * 24 * 3600)).atOffset(ZoneOffset.UTC);
    if (dialect == BankWorkload.Dialect.POSTGRES) {
      ps.setObject(index, t);
    } else if (dialect == BankWorkload.Dialect.MARIADB) {
      ps.setObject(index, t.toLocalDateTime()); // a DATETIME in UTC, as TableDigest reads it
    } else {
      ps.setString(index, PG_TEXT.format(t));
    }
  }

  String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  /** A binary value of 0 to 2 KiB (sometimes NULL is chosen by the caller), all byte values. */
  byte[] bytes() {
    byte[] b = new byte[random.nextInt(2048)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  /** A double with edge values (negative zero excluded: SQLite stores it as zero). */
  double score() {
    return switch (random.nextInt(6)) {
      case 0 -> 0.1;
      case 1 -> -1.5e-300;
      case 2 -> Double.MAX_VALUE;
      default -> random.nextDouble(-1e6, 1e6);
    };
  }
}
