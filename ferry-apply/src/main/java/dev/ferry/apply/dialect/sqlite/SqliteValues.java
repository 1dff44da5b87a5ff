package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.ValueConversionException;
import dev.ferry.journal.model.Column;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL → SQLite value mapping (documented in {@code docs/apply.md}), chosen so that
 * {@code TableDigest} agrees across the two: integers as INTEGER, booleans as 1/0, floats as REAL,
 * bytea as BLOB, timestamptz as PostgreSQL's UTC text form ({@code 2024-03-01 10:00:00.5+00}),
 * everything else (numeric, text, dates, intervals, uuid, json, arrays, enums) as PostgreSQL's
 * text form, which a NUMERIC column turns into a number where that is exact.
 */
public final class SqliteValues {
  private static final Pattern TIMESTAMPTZ = Pattern.compile(
      "(\\d{4,})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d{1,9})?([+-]\\d\\d)(?::(\\d\\d))?(?::(\\d\\d))?");
  private static final DateTimeFormatter UTC_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  private SqliteValues() {
  }

  static void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    String type = column.typeName().toLowerCase(Locale.ROOT);
    switch (type) {
      case "int2", "int4", "int8", "smallint", "integer", "bigint", "oid" -> ps.setLong(index, parseLong(text, column));
      case "bool", "boolean" -> ps.setInt(index, parseBool(text, column));
      case "float4", "float8", "real", "double precision" -> bindFloat(ps, index, text);
      case "bytea" -> ps.setBytes(index, parseBytea(text, column));
      case "timestamptz", "timestamp with time zone" -> ps.setString(index, toUtcText(text));
      default -> ps.setString(index, text);
    }
  }

  private static long parseLong(String text, Column column) throws SQLException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ValueConversionException("value '" + text + "' of " + column.name() + " (" + column.typeName()
          + ") is not an integer", e);
    }
  }

  private static int parseBool(String text, Column column) throws SQLException {
    return switch (text) {
      case "t", "true" -> 1;
      case "f", "false" -> 0;
      default -> throw new ValueConversionException("value '" + text + "' of " + column.name() + " is not a boolean");
    };
  }

  private static void bindFloat(PreparedStatement ps, int index, String text) throws SQLException {
    // SQLite stores NaN as NULL: keep it as text rather than lose it.
    switch (text) {
      case "NaN" -> ps.setString(index, text);
      case "Infinity" -> ps.setDouble(index, Double.POSITIVE_INFINITY);
      case "-Infinity" -> ps.setDouble(index, Double.NEGATIVE_INFINITY);
      default -> ps.setDouble(index, Double.parseDouble(text));
    }
  }

  private static byte[] parseBytea(String text, Column column) throws SQLException {
    if (!text.startsWith("\\x")) {
      throw new ValueConversionException("bytea value of " + column.name() + " is not in hex form (\\x...)");
    }
    try {
      return HexFormat.of().parseHex(text, 2, text.length());
    } catch (IllegalArgumentException e) {
      throw new ValueConversionException("bytea value of " + column.name() + " is not valid hex: " + e.getMessage(),
          e);
    }
  }

  /**
   * Rewrites a PostgreSQL timestamptz text in any offset to UTC, as PostgreSQL prints it with
   * {@code TimeZone=UTC}; infinity and BC values pass unchanged.
   */
  public static String toUtcText(String text) {
    Matcher m = TIMESTAMPTZ.matcher(text);
    if (!m.matches() || m.group(1).length() != 4) {
      return text;
    }
    int nanos = 0;
    String fraction = m.group(7);
    if (fraction != null) {
      nanos = Integer.parseInt((fraction.substring(1) + "000000000").substring(0, 9));
    }
    int hours = Integer.parseInt(m.group(8));
    int minutes = m.group(9) == null ? 0 : Integer.parseInt(m.group(9));
    int seconds = m.group(10) == null ? 0 : Integer.parseInt(m.group(10));
    int sign = hours < 0 || m.group(8).startsWith("-") ? -1 : 1;
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(sign * (Math.abs(hours) * 3600 + minutes * 60 + seconds));
    LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
        Integer.parseInt(m.group(6)), nanos);
    LocalDateTime utc = OffsetDateTime.of(local, offset).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    StringBuilder out = new StringBuilder(UTC_TEXT.format(utc));
    if (utc.getNano() != 0) {
      String frac = String.format(Locale.ROOT, "%09d", utc.getNano());
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      out.append('.').append(frac, 0, end);
    }
    return out.append("+00").toString();
  }
}
