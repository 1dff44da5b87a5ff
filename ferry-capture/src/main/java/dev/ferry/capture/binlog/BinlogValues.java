package dev.ferry.capture.binlog;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Value;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Calendar;
import java.util.List;
import java.util.GregorianCalendar;
import java.util.TimeZone;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Turns a binlog row value (as the binlog connector decodes it with date and time as epoch
 * microseconds and text as bytes) into a journal value, exactly: integers as {@link Value.Int64}
 * (an unsigned BIGINT as its decimal text, which may exceed a signed long), DECIMAL as its plain
 * text, FLOAT and DOUBLE as {@link Value.Float64} (a FLOAT's value widened exactly), DATE as
 * {@code yyyy-MM-dd}, DATETIME as {@code yyyy-MM-dd HH:mm:ss[.ffffff]} (no time zone: the wall
 * clock as stored), TIMESTAMP (an instant) in UTC as {@code yyyy-MM-dd HH:mm:ss[.ffffff]+00},
 * TIME as signed {@code [-]HH:MM:SS[.ffffff]} (over 24 hours too), YEAR as an integer, BIT(n) as
 * its n bits' text, ENUM and SET as their members' text, text decoded by its column's character
 * set, binary as bytes ({@code BINARY(n)} padded to n bytes with zeros, as MariaDB reads it back).
 * Zero dates ({@code 0000-00-00}) are refused naming table and column. Stateless.
 */
final class BinlogValues {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT);
  private static final TimeZone GMT = TimeZone.getTimeZone("GMT");
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

  private BinlogValues() {
  }

  /**
   * The journal value of {@code raw}, a value of {@code col} of {@code table} in the transaction
   * {@code gtid} (named with the column in the error that refuses a value).
   */
  static Value of(Serializable raw, SourceColumn col, String source, String table, Gtid gtid) throws CaptureException {
    String where = source;
    String column = table + "." + col.column().name() + " in transaction " + gtid;
    if (raw == null) {
      return Value.NULL;
    }
    try {
      return convert(raw, col, where, column);
    } catch (ClassCastException | ArithmeticException e) {
      throw new CaptureException(where, "column " + column + " (" + col.column().typeName()
          + "): the binlog holds a " + raw.getClass().getSimpleName() + " Ferry cannot read as that type: " + e);
    }
  }

  private static Value convert(Serializable raw, SourceColumn col, String where, String column) throws CaptureException {
    return switch (col.kind()) {
      case SIGNED -> new Value.Int64(((Number) raw).longValue());
      case UNSIGNED_8 -> new Value.Int64(((Number) raw).longValue() & 0xFFL);
      case UNSIGNED_16 -> new Value.Int64(((Number) raw).longValue() & 0xFFFFL);
      case UNSIGNED_24 -> new Value.Int64(((Number) raw).longValue() & 0xFF_FFFFL);
      case UNSIGNED_32 -> new Value.Int64(((Number) raw).longValue() & 0xFFFF_FFFFL);
      case UNSIGNED_64 -> new Value.Text(Long.toUnsignedString(((Number) raw).longValue()));
      case DECIMAL -> new Value.Text(((BigDecimal) raw).toPlainString());
      case FLOAT, DOUBLE -> new Value.Float64(((Number) raw).doubleValue());
      case DATE -> new Value.Text(DAY.format(wallClock(raw, column, col, where)));
      case DATETIME -> new Value.Text(withFraction(wallClock(raw, column, col, where)));
      case TIMESTAMP -> new Value.Text(withFraction(wallClock(raw, column, col, where)) + "+00");
      case TIME -> new Value.Text(timeText(((Number) raw).longValue()));
      case YEAR -> new Value.Int64(year(((Number) raw).intValue()));
      case BIT -> new Value.Text(bitText((BitSet) raw, col.width()));
      case ENUM -> new Value.Text(enumText(((Number) raw).intValue(), col, where, column));
      case SET -> new Value.Text(setText(((Number) raw).longValue(), col.labels()));
      case TEXT -> new Value.Text(text(raw, column, col, where));
      case BYTES -> new Value.Bytes(raw instanceof byte[] b ? b : ((String) raw).getBytes(col.charset()
          .orElse(java.nio.charset.StandardCharsets.ISO_8859_1)));
      case BINARY -> new Value.Bytes(Arrays.copyOf((byte[]) raw, Math.max(col.width(), ((byte[]) raw).length)));
    };
  }

  /**
   * A {@code TIME} of {@code micros} signed microseconds as MariaDB prints it, the fraction's
   * trailing zeros cut: {@code -838:59:59}, {@code 00:00:00.5}, {@code 100:00:00} (PostgreSQL's
   * {@code interval} prints the same).
   */
  static String timeText(long micros) {
    long abs = Math.abs(micros);
    long seconds = abs / 1_000_000L;
    String text = String.format(Locale.ROOT, "%s%02d:%02d:%02d", micros < 0 ? "-" : "", seconds / 3600,
        seconds / 60 % 60, seconds % 60);
    long fraction = abs % 1_000_000L;
    return fraction == 0 ? text : text + "." + String.format(Locale.ROOT, "%06d", fraction).replaceAll("0+$", "");
  }

  /** MariaDB's {@code YEAR} value: the connector adds 1900, so 1900 is the year {@code 0000}. */
  private static int year(int connectorYear) {
    return connectorYear == 1900 ? 0 : connectorYear;
  }

  /** The {@code width} bits of a {@code BIT(width)}, most significant first. */
  static String bitText(BitSet bits, int width) {
    StringBuilder out = new StringBuilder(width);
    for (int i = width - 1; i >= 0; i--) {
      out.append(bits.get(i) ? '1' : '0');
    }
    return out.toString();
  }

  /** The {@code width} low bits of {@code value}, most significant first. */
  static String bitText(long value, int width) {
    return bitText(BitSet.valueOf(new long[] {value}), width);
  }

  private static String enumText(int index, SourceColumn col, String where, String column) throws CaptureException {
    if (index == 0) {
      return ""; // MariaDB's "invalid value" member, which non-strict modes store
    }
    if (index > col.labels().size()) {
      throw new CaptureException(where, "column " + column + " (" + col.column().typeName() + ") holds member "
          + index + ", the type has " + col.labels().size() + ": its definition changed after the row was written");
    }
    return col.labels().get(index - 1);
  }

  /** A {@code SET}'s members as MariaDB prints them: in definition order, comma-separated. */
  static String setText(long mask, List<String> labels) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < labels.size(); i++) {
      if ((mask & (1L << i)) != 0) {
        out.append(out.isEmpty() ? "" : ",").append(labels.get(i));
      }
    }
    return out.toString();
  }

  /**
   * The connector gives DATE, DATETIME and TIMESTAMP as microseconds since 1970-01-01 00:00 UTC:
   * for a TIMESTAMP that is the instant, for DATE and DATETIME the stored wall clock read as UTC.
   * It counts days before 1582-10-15 by the Julian calendar (a {@link GregorianCalendar} in GMT),
   * so the same calendar reads the wall clock back: {@code 1000-01-01} stays {@code 1000-01-01}.
   */
  private static LocalDateTime wallClock(Serializable raw, String column, SourceColumn col, String where)
      throws CaptureException {
    long micros = ((Number) raw).longValue();
    if (micros == Long.MIN_VALUE) {
      throw new CaptureException(where, "column " + column + " (" + col.column().typeName()
          + ") holds a zero or invalid date (0000-00-00), which Ferry refuses rather than change;"
          + " set the column to a real date or NULL on the source (see docs/mariadb-capture.md)");
    }
    GregorianCalendar calendar = new GregorianCalendar(GMT, Locale.ROOT);
    calendar.setTimeInMillis(Math.floorDiv(micros, 1000L));
    int year = calendar.get(Calendar.ERA) == GregorianCalendar.BC ? 1 - calendar.get(Calendar.YEAR)
        : calendar.get(Calendar.YEAR);
    return LocalDateTime.of(year, calendar.get(Calendar.MONTH) + 1, calendar.get(Calendar.DAY_OF_MONTH),
        calendar.get(Calendar.HOUR_OF_DAY), calendar.get(Calendar.MINUTE), calendar.get(Calendar.SECOND),
        (int) Math.floorMod(micros, 1_000_000L) * 1000);
  }

  /** {@code yyyy-MM-dd HH:mm:ss}, with the fraction of a second when there is one (trailing zeros cut). */
  static String withFraction(LocalDateTime t) {
    String text = SECOND.format(t);
    if (t.getNano() == 0) {
      return text;
    }
    String fraction = String.format(Locale.ROOT, "%09d", t.getNano());
    int end = fraction.length();
    while (fraction.charAt(end - 1) == '0') {
      end--;
    }
    return text + "." + fraction.substring(0, end);
  }

  private static String text(Serializable raw, String column, SourceColumn col, String where) throws CaptureException {
    if (raw instanceof String s) {
      return s;
    }
    byte[] bytes = (byte[]) raw;
    try {
      return col.charset().orElseThrow().newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new CaptureException(where, "column " + column + " (" + col.column().typeName()
          + ") holds bytes that are not valid " + col.charset().orElseThrow().name() + ": " + e.getMessage());
    }
  }
}
