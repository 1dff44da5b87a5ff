package dev.ferry.testkit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An order-independent digest of a table's rows, computed the same way on PostgreSQL, SQLite and MariaDB,
 * for "replica equals source" checks.
 *
 * <p>Each row is encoded column by column, columns sorted by lower-cased name, each value as a
 * kind tag plus a canonical text, length-prefixed; the row's hash is the first 128 bits of its
 * SHA-256, and the table's hash is the sum of its rows' hashes modulo 2<sup>128</sup> — so row
 * order does not matter and duplicate rows count. Canonical texts:
 *
 * <ul>
 *   <li>integers, booleans (1/0), floating point and exact numerics are one kind, number: the
 *       shortest plain decimal ({@code 12.50} and {@code 12.5} agree; NaN and ±Infinity by name);
 *       SQLite text in a column declared NUMERIC or DECIMAL is read as a number too;
 *   <li>binary values: hex;
 *   <li>everything else: the database's text form ({@code getString}); on PostgreSQL the digest
 *       sets the session's {@code TimeZone} to UTC first, so time stamps read the same everywhere;
 *   <li>NULL is its own kind, distinct from the empty string;
 *   <li>MariaDB {@code DATETIME}/{@code TIMESTAMP} values (which Ferry writes in UTC for a time
 *       stamp with time zone) in PostgreSQL's UTC text form ({@code 2024-03-01 10:00:00.5+00}), so
 *       they agree with a PostgreSQL {@code timestamptz}; MariaDB BLOBs as binary values.
 * </ul>
 */
public record TableDigest(String table, long rows, String hash) {

  /** Digests one table; {@code table} is SQL text ({@code public.accounts}, {@code "Odd Name"}). */
  public static TableDigest of(Connection c, String table) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    boolean postgres = product.contains("postgres");
    boolean mariadb = product.contains("mariadb");
    boolean autoCommit = c.getAutoCommit();
    if (postgres) {
      try (Statement st = c.createStatement()) {
        st.execute("SET TIME ZONE 'UTC'");
      }
      c.setAutoCommit(false); // lets the driver stream the rows with a fetch size
    }
    try (Statement st = c.createStatement()) {
      st.setFetchSize(1000);
      try (ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
        return digest(table, rs, mariadb);
      }
    } finally {
      if (postgres) {
        c.commit();
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /**
   * The row count of each of {@code tables}, keyed by the given names in the given order, or -1 for
   * a table that cannot be read (missing): a cheap first check for a test that waits for a replica
   * to equal its source, before the full digests of {@link #ofAll}.
   */
  public static Map<String, Long> countAll(Connection c, List<String> tables) {
    Map<String, Long> result = new LinkedHashMap<>();
    for (String t : tables) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
        rs.next();
        result.put(t, rs.getLong(1));
      } catch (SQLException e) {
        result.put(t, -1L);
        try {
          if (!c.getAutoCommit()) {
            c.rollback(); // PostgreSQL: the failed statement aborted the transaction
          }
        } catch (SQLException ignored) {
          // the next statement reports it
        }
      }
    }
    return result;
  }

  /** Digests several tables, keyed by the given names in the given order. */
  public static Map<String, TableDigest> ofAll(Connection c, List<String> tables) throws SQLException {
    Map<String, TableDigest> result = new LinkedHashMap<>();
    for (String t : tables) {
      result.put(t, of(c, t));
    }
    return result;
  }

  private static TableDigest digest(String table, ResultSet rs, boolean mariadb) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      order.add(i);
    }
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      names.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
    }
    order.sort(Comparator.comparing(i -> names.get(i - 1)));
    MessageDigest sha = sha256();
    BigInteger sum = BigInteger.ZERO;
    long rows = 0;
    StringBuilder row = new StringBuilder();
    while (rs.next()) {
      row.setLength(0);
      for (int i : order) {
        String canonical = mariadb ? mariadbCanonical(rs, md, i) : canonical(rs, md, i);
        row.append(names.get(i - 1).length()).append(':').append(names.get(i - 1))
            .append(canonical.length()).append(':').append(canonical);
      }
      byte[] h = sha.digest(row.toString().getBytes(StandardCharsets.UTF_8));
      sum = sum.add(new BigInteger(1, java.util.Arrays.copyOf(h, 16)));
      rows++;
    }
    BigInteger hash = sum.mod(BigInteger.ONE.shiftLeft(128));
    return new TableDigest(table, rows, String.format(Locale.ROOT, "%032x", hash));
  }

  static String canonical(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
    Object v = rs.getObject(i);
    if (v == null) {
      return "N";
    }
    return switch (v) {
      case Boolean b -> "n" + (b ? "1" : "0");
      case Double d -> "n" + number(d);
      case Float f -> "n" + number(f.doubleValue());
      case BigDecimal d -> "n" + plain(d);
      case Number n -> "n" + new BigDecimal(n.toString()).toPlainString();
      case byte[] b -> "b" + HexFormat.of().formatHex(b);
      case String s when isDeclaredNumeric(md, i) && isDecimal(s) -> "n" + plain(new BigDecimal(s.trim()));
      default -> "s" + rs.getString(i);
    };
  }

  private static String mariadbCanonical(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
    String type = String.valueOf(md.getColumnTypeName(i)).toUpperCase(Locale.ROOT);
    if (type.startsWith("DATETIME") || type.startsWith("TIMESTAMP")) {
      java.time.LocalDateTime t = rs.getObject(i, java.time.LocalDateTime.class);
      if (t == null) {
        return "N";
      }
      String text = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).format(t);
      if (t.getNano() != 0) {
        text += "." + String.format(Locale.ROOT, "%09d", t.getNano()).replaceAll("0+$", "");
      }
      return "s" + text + "+00";
    }
    if (rs.getObject(i) instanceof java.sql.Blob b) {
      return "b" + HexFormat.of().formatHex(b.getBytes(1, (int) b.length()));
    }
    return canonical(rs, md, i);
  }

  private static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    return plain(new BigDecimal(Double.toString(d)));
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static boolean isDeclaredNumeric(ResultSetMetaData md, int i) throws SQLException {
    String type = String.valueOf(md.getColumnTypeName(i)).toUpperCase(Locale.ROOT);
    return type.startsWith("NUMERIC") || type.startsWith("DECIMAL");
  }

  private static boolean isDecimal(String s) {
    try {
      new BigDecimal(s.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
