package dev.ferry.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded random workload over every MariaDB type Ferry captures (docs/mariadb-capture.md, Types):
 * rows of random values with NULLs and each type's extremes, inserted, updated and deleted in
 * transactions of one to five statements, each transaction's session in a random time zone; and
 * the same table as a PostgreSQL replica declares it by the documented mapping, with the queries
 * whose digests must agree ({@code TableDigest} over them). Not thread-safe.
 */
final class MariaDbTypedRows {
  static final String MARIADB_TABLE = "CREATE TABLE typed (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED,"
      + " si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT,"
      + " bu BIGINT UNSIGNED, d DECIMAL(65,30), f FLOAT, db DOUBLE, dt DATE, t6 DATETIME(6), ts TIMESTAMP(6) NULL,"
      + " tm TIME(6), y YEAR, b BIT(10), e ENUM('red','green','it''s'), s SET('r','w','x'),"
      + " u VARCHAR(40) CHARACTER SET utf8mb4, l VARCHAR(20) CHARACTER SET latin1, j JSON, bn BINARY(4),"
      + " vb VARBINARY(16), bl BLOB, flag BOOLEAN)";
  static final String POSTGRES_TABLE = "CREATE TABLE typed (id integer PRIMARY KEY, ti smallint, tu smallint,"
      + " si smallint, su integer, mi integer, mu integer, i integer, iu bigint, bi bigint, bu numeric(20),"
      + " d numeric(65,30), f real, db double precision, dt date, t6 timestamp(6), ts timestamptz(6), tm interval,"
      + " y smallint, b bit(10), e text, s text, u text, l text, j json, bn bytea, vb bytea, bl bytea,"
      + " flag smallint)";
  /**
   * The source's rows as the digest reads them: TIME, YEAR, BIT and BOOLEAN as the journal carries
   * them, FLOAT with all its digits (MariaDB prints it with 6).
   */
  static final String MARIADB_QUERY = "(SELECT id, ti, tu, si, su, mi, mu, i, iu, bi, bu, d, CAST(f AS DOUBLE) AS f, db,"
      + " dt, t6, ts,"
      + " TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(tm AS CHAR))) AS tm, CAST(y AS UNSIGNED) AS y,"
      + " LPAD(BIN(b), 10, '0') AS b, e, s, u, l, j, bn, vb, bl, flag + 0 AS flag FROM typed) AS x";
  /** The replica's rows: its timestamp (no zone) in the text form the digest gives MariaDB's DATETIME. */
  static final String POSTGRES_QUERY = "(SELECT id, ti, tu, si, su, mi, mu, i, iu, bi, bu, d, f, db, dt,"
      + " t6::text || '+00' AS t6, ts, tm::text AS tm, y, b::text AS b, e, s, u, l, j, bn, vb, bl, flag"
      + " FROM typed) AS x";
  private static final String INSERT = "INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
      + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPDATE = "UPDATE typed SET ti = ?, tu = ?, si = ?, su = ?, mi = ?, mu = ?, i = ?,"
      + " iu = ?, bi = ?, bu = ?, d = ?, f = ?, db = ?, dt = ?, t6 = ?, ts = ?, tm = ?, y = ?, b = ?, e = ?, s = ?,"
      + " u = ?, l = ?, j = ?, bn = ?, vb = ?, bl = ?, flag = ? WHERE id = ?";
  private static final String[] ZONES = {"+00:00", "+05:30", "-08:00", "+13:00", "-12:00"};
  private static final String[] UNICODE = {"a", "Z", "ä", "€", "😀", "𝄞", "中", " ", "'", "\\", "\""};
  private static final String[] LATIN1 = {"a", "é", "ß", "ÿ", "€", " ", "'"};
  private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS",
      Locale.ROOT);

  private final SplittableRandom random;
  private final List<Integer> ids = new ArrayList<>();
  private int nextId = 1;
  private String zone = "+00:00";

  MariaDbTypedRows(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** One transaction of one to five inserts, updates and deletes, in a random session time zone. */
  void transaction(Connection c) throws SQLException {
    zone = ZONES[random.nextInt(ZONES.length)];
    try (Statement st = c.createStatement()) {
      st.execute("SET time_zone = '" + zone + "'");
    }
    c.setAutoCommit(false);
    int statements = 1 + random.nextInt(5);
    for (int k = 0; k < statements; k++) {
      int op = random.nextInt(10);
      if (ids.isEmpty() || op < 5) {
        insert(c);
      } else if (op < 8) {
        update(c, ids.get(random.nextInt(ids.size())));
      } else {
        delete(c, ids.remove(random.nextInt(ids.size())));
      }
    }
    c.commit();
    c.setAutoCommit(true);
  }

  private void insert(Connection c) throws SQLException {
    int id = nextId++;
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setInt(1, id);
      bindValues(ps, 2);
      ps.executeUpdate();
    }
    ids.add(id);
  }

  private void update(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
      bindValues(ps, 1);
      ps.setInt(29, id);
      ps.executeUpdate();
    }
  }

  private static void delete(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM typed WHERE id = ?")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  /** The 28 values after the id, from parameter {@code first} on: each NULL one time in eight. */
  private void bindValues(PreparedStatement ps, int first) throws SQLException {
    Object[] values = {integer(-128, 127), integer(0, 255), integer(-32768, 32767), integer(0, 65535),
        integer(-8388608, 8388607), integer(0, 16777215), integer(Integer.MIN_VALUE, Integer.MAX_VALUE),
        integer(0, 4294967295L), pick(Long.MIN_VALUE, Long.MAX_VALUE, random.nextLong()),
        pick("0", "18446744073709551615", Long.toUnsignedString(random.nextLong())), decimal(),
        pick(-3.40282e38f, 1.17549435e-38f, (float) (random.nextDouble() * 2e6 - 1e6)),
        pick(-1.7976931348623157e308, 2.2250738585072014e-308, random.nextDouble() * 1e300), date(), wallClock(1000, 9999),
        instant(), time(), pick(0, 2155, 1901 + random.nextInt(255)), bits(), pick("red", "green", "it's"),
        set(), text(UNICODE, 40), text(LATIN1, 20), json(), bytes(1 + random.nextInt(4)), bytes(random.nextInt(17)),
        bytes(random.nextInt(300)), pick(0, 1, random.nextInt(-128, 128))};
    for (int k = 0; k < values.length; k++) {
      Object v = random.nextInt(8) == 0 ? null : values[k];
      ps.setObject(first + k, v);
    }
  }

  private Object integer(long min, long max) {
    return pick(min, max, min + (long) (random.nextDouble() * (max - min)));
  }

  /** An extreme, {@code a} or {@code b}, one time in eight each; else {@code other}. */
  private Object pick(Object a, Object b, Object other) {
    int r = random.nextInt(8);
    return r == 0 ? a : r == 1 ? b : other;
  }

  private Object decimal() {
    StringBuilder s = new StringBuilder(random.nextBoolean() ? "-" : "");
    int intDigits = random.nextInt(36);
    s.append(intDigits == 0 ? "0" : "");
    for (int k = 0; k < intDigits; k++) {
      s.append(k == 0 ? 1 + random.nextInt(9) : random.nextInt(10));
    }
    s.append('.');
    for (int k = 0; k < 30; k++) {
      s.append(random.nextInt(10));
    }
    return pick("99999999999999999999999999999999999.999999999999999999999999999999",
        "-0.000000000000000000000000000001", s.toString());
  }

  private Object date() {
    return pick("1000-01-01", "9999-12-31", wallClock(1000, 9999).toString().substring(0, 10));
  }

  private Object wallClock(int fromYear, int toYear) {
    LocalDateTime t = LocalDateTime.of(fromYear + random.nextInt(toYear - fromYear + 1), 1 + random.nextInt(12),
        1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60),
        random.nextInt(1_000_000) * 1000);
    return WALL.format(t);
  }

  /** An instant MariaDB's TIMESTAMP holds, written as the wall clock of the session's time zone. */
  private Object instant() {
    long seconds = 1 + (long) (random.nextDouble() * (2147483647L - 2));
    return WALL.format(LocalDateTime.ofEpochSecond(seconds, random.nextInt(1_000_000) * 1000, ZoneOffset.of(zone)));
  }

  private Object time() {
    long micros = (long) (random.nextDouble() * 3020399999999L) * (random.nextBoolean() ? 1 : -1);
    long abs = Math.abs(micros);
    String text = String.format(Locale.ROOT, "%s%d:%02d:%02d.%06d", micros < 0 ? "-" : "", abs / 3_600_000_000L,
        abs / 60_000_000L % 60, abs / 1_000_000L % 60, abs % 1_000_000L);
    return pick("-838:59:59", "838:59:59", text);
  }

  private Object bits() {
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < 10; k++) {
      s.append(random.nextInt(2));
    }
    return pick(0L, 1023L, Long.parseLong(s.toString(), 2));
  }

  private Object set() {
    String[] members = {"r", "w", "x"};
    List<String> in = new ArrayList<>();
    for (String m : members) {
      if (random.nextBoolean()) {
        in.add(m);
      }
    }
    return String.join(",", in);
  }

  private String text(String[] pool, int max) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(max + 1);
    for (int k = 0; k < n; k++) {
      s.append(pool[random.nextInt(pool.length)]);
    }
    return s.toString();
  }

  private Object json() {
    return "{\"n\": " + random.nextInt() + ", \"s\": \"" + text(new String[] {"a", "😀", "é"}, 6)
        + "\", \"a\": [true, null, 1.5]}";
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int k = 0; k < n; k++) {
      b[k] = (byte) random.nextInt(256);
    }
    return b;
  }
}
