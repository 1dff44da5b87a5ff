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

  static Value read(ResultSet rs, int i, SourceColumn col, String source, String table) throws SQLException {
    Value v = switch (col.kind()) {
      case SIGNED, UNSIGNED_8, UNSIGNED_16, UNSIGNED_24, UNSIGNED_32 -> {
        long n = rs.getLong(i);
        yield rs.wasNull() ? Value.NULL : new Value.Int64(n);
      }
      case UNSIGNED_64 -> text(rs.getString(i));
      case DECIMAL -> {
        BigDecimal d = rs.getBigDecimal(i);
        yield d == null ? Value.NULL : new Value.Text(d.toPlainString());
      }
      case FLOAT -> {
        float f = rs.getFloat(i);
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
      case TEXT -> text(rs.getString(i));
      case BYTES -> {
        byte[] b = rs.getBytes(i);
        yield b == null ? Value.NULL : new Value.Bytes(b);
      }
    };
    return v;
  }

  private static Value text(String s) {
    return s == null ? Value.NULL : new Value.Text(s);
  }
}
