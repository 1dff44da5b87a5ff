package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.ValueConversionException;
import dev.ferry.journal.model.Column;
import java.math.BigDecimal;
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
 * How a value in its source's text form becomes a MariaDB value, by its column's logical type
 * (docs/apply.md, MariaDB targets): integers as integers (unsigned 64-bit as an exact decimal),
 * booleans as 1/0, bytes in PostgreSQL's hex form ({@code \x…}) as binary, a time stamp with time
 * zone as its UTC {@code DATETIME} text (MariaDB's DATETIME has no zone: Ferry stores UTC), a bit
 * string ({@code 0101}) as the bytes of a {@code BIT(n)}, and
 * everything else (decimals, text, dates, times, uuid, json, intervals, arrays) as the text itself,
 * which MariaDB's strict mode refuses if the column cannot hold it. NaN and ±Infinity have no
 * MariaDB value: they are refused, naming the column.
 */
final class MariaDbValues {
  private static final Pattern TIMESTAMPTZ = Pattern.compile(
      "(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d{1,9})?([+-])(\\d\\d)(?::(\\d\\d))?(?::(\\d\\d))?");
  private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  private MariaDbValues() {
  }

  static void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    switch (column.logicalType()) {
      case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> ps.setLong(index, parseLong(text, column));
      case UINT64 -> ps.setBigDecimal(index, parseDecimal(text, column));
      case BOOLEAN -> ps.setInt(index, parseBool(text, column));
      case FLOAT32, FLOAT64 -> ps.setDouble(index, parseDouble(text, column));
      case BYTES -> {
        if (text.startsWith("\\x")) {
          ps.setBytes(index, parseHex(text, column));
        } else {
          ps.setString(index, text);
        }
      }
      case TIMESTAMPTZ -> ps.setString(index, toUtcDatetime(text, column));
      case BIT -> ps.setBytes(index, parseBits(text, column));
      default -> ps.setString(index, text);
    }
  }

  private static long parseLong(String text, Column column) throws SQLException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw refused(text, column, "is not an integer", e);
    }
  }

  private static BigDecimal parseDecimal(String text, Column column) throws SQLException {
    try {
      return new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw refused(text, column, "is not a number", e);
    }
  }

  private static int parseBool(String text, Column column) throws SQLException {
    return switch (text) {
      case "t", "true", "1" -> 1;
      case "f", "false", "0" -> 0;
      default -> throw refused(text, column, "is not a boolean", null);
    };
  }

  private static double parseDouble(String text, Column column) throws SQLException {
    double d;
    try {
      d = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw refused(text, column, "is not a number", e);
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw refused(text, column, "has no MariaDB value (MariaDB floats hold neither NaN nor infinity)", null);
    }
    return d;
  }

  /** A bit string ({@code 0101}) as the big-endian bytes a {@code BIT(n)} column takes. */
  static byte[] parseBits(String text, Column column) throws SQLException {
    if (text.isEmpty() || text.length() > 64 || !text.matches("[01]+")) {
      throw refused(text, column, "is not a bit string MariaDB's BIT holds (1 to 64 digits 0 and 1)", null);
    }
    byte[] out = new byte[(text.length() + 7) / 8];
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(text.length() - 1 - i) == '1') {
        out[out.length - 1 - i / 8] |= (byte) (1 << (i % 8));
      }
    }
    return out;
  }

  private static byte[] parseHex(String text, Column column) throws SQLException {
    try {
      return HexFormat.of().parseHex(text, 2, text.length());
    } catch (IllegalArgumentException e) {
      throw refused(text, column, "is not valid hex: " + e.getMessage(), e);
    }
  }

  /**
   * A PostgreSQL {@code timestamptz} text in any offset as the UTC {@code DATETIME} text MariaDB
   * takes ({@code 2024-03-01 09:00:00.5}); infinity and BC values are refused.
   */
  static String toUtcDatetime(String text, Column column) throws SQLException {
    Matcher m = TIMESTAMPTZ.matcher(text);
    if (!m.matches()) {
      throw refused(text, column, "is not a time stamp MariaDB can hold (yyyy-mm-dd hh:mm:ss with an offset)", null);
    }
    int nanos = m.group(7) == null ? 0 : Integer.parseInt((m.group(7).substring(1) + "000000000").substring(0, 9));
    int sign = m.group(8).equals("-") ? -1 : 1;
    int seconds = Integer.parseInt(m.group(9)) * 3600 + (m.group(10) == null ? 0 : Integer.parseInt(m.group(10)) * 60)
        + (m.group(11) == null ? 0 : Integer.parseInt(m.group(11)));
    LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
        Integer.parseInt(m.group(6)), nanos);
    LocalDateTime utc = OffsetDateTime.of(local, ZoneOffset.ofTotalSeconds(sign * seconds))
        .withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    String out = DATETIME.format(utc);
    return utc.getNano() == 0 ? out : out + "." + String.format(Locale.ROOT, "%09d", utc.getNano()).substring(0, 6);
  }

  private static ValueConversionException refused(String text, Column column, String why, Exception cause) {
    String shown = text.length() > 100 ? text.substring(0, 100) + "…" : text;
    return new ValueConversionException("value '" + shown + "' of column " + column.name() + " (" + column.typeName()
        + ") " + why, cause);
  }
}
