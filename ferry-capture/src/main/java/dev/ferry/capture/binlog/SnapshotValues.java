package dev.ferry.capture.binlog;

import dev.ferry.journal.model.Value;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * Reads a MariaDB column of a snapshot's row (a session in UTC) as the same journal value binlog
 * capture gives that data ({@link BinlogValues}), so a seeded row equals a streamed one. Stateless.
 */
final class SnapshotValues {
  private SnapshotValues() {
  }

  /** What the snapshot selects for {@code col} ({@code quoted}): the column, or a cast that reads it exactly. */
  static String select(SourceColumn col, String quoted) {
    return switch (col.kind()) {
      case YEAR -> "CAST(" + quoted + " AS UNSIGNED)";
      // MariaDB prints a FLOAT with 6 significant digits; as a DOUBLE it prints every digit of it.
      case FLOAT -> "CAST(" + quoted + " AS DOUBLE)";
      case BIT -> "CAST(" + quoted + " AS UNSIGNED)";
      case TIME -> "CAST(" + quoted + " AS CHAR)";
      default -> quoted;
    };
  }

  static Value read(ResultSet rs, int i, SourceColumn col, String source, String table) throws SQLException {
    Value v = switch (col.kind()) {
      case SIGNED, UNSIGNED_8, UNSIGNED_16, UNSIGNED_24, UNSIGNED_32, YEAR -> {
        long n = rs.getLong(i);
        yield rs.wasNull() ? Value.NULL : new Value.Int64(n);
      }
      case UNSIGNED_64 -> text(rs.getString(i));
      case DECIMAL -> {
        BigDecimal d = rs.getBigDecimal(i);
        yield d == null ? Value.NULL : new Value.Text(d.toPlainString());
      }
      case FLOAT -> {
        float f = (float) rs.getDouble(i);
        yield rs.wasNull() ? Value.NULL : new Value.Float64(f);
      }
      case DOUBLE -> {
        double d = rs.getDouble(i);
        yield rs.wasNull() ? Value.NULL : new Value.Float64(d);
      }
      case DATE -> {
        LocalDate d = rs.getObject(i, LocalDate.class);
        yield d == null ? Value.NULL : new Value.Text(d.toString());
      }
      case DATETIME, TIMESTAMP -> {
        LocalDateTime t = rs.getObject(i, LocalDateTime.class);
        yield t == null ? Value.NULL : new Value.Text(BinlogValues.withFraction(t)
            + (col.kind() == SourceColumn.Kind.TIMESTAMP ? "+00" : ""));
      }
      case TEXT, ENUM, SET -> text(rs.getString(i));
      case TIME -> {
        String t = rs.getString(i);
        yield t == null ? Value.NULL : new Value.Text(BinlogValues.timeText(timeMicros(t)));
      }
      case BIT -> {
        String bits = rs.getString(i);
        yield bits == null ? Value.NULL : new Value.Text(BinlogValues.bitText(Long.parseUnsignedLong(bits),
            col.width()));
      }
      case BYTES, BINARY -> {
        byte[] b = rs.getBytes(i);
        yield b == null ? Value.NULL : new Value.Bytes(b);
      }
    };
    return v;
  }

  /** MariaDB's text of a {@code TIME} ({@code -838:59:59.000000}) as signed microseconds. */
  private static long timeMicros(String text) {
    boolean negative = text.startsWith("-");
    String[] parts = (negative ? text.substring(1) : text).split("[:.]");
    long micros = (Long.parseLong(parts[0]) * 3600 + Long.parseLong(parts[1]) * 60 + Long.parseLong(parts[2]))
        * 1_000_000L;
    if (parts.length > 3) {
      micros += Long.parseLong((parts[3] + "000000").substring(0, 6));
    }
    return negative ? -micros : micros;
  }

  private static Value text(String s) {
    return s == null ? Value.NULL : new Value.Text(s);
  }
}
