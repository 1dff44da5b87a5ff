package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.ValueBinding;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Value binding on PostgreSQL. Text values are bound untyped ({@code Types.OTHER}: pgjdbc sends
 * them with the unspecified type), so the server reads them with the target column's own input
 * function — exact for numeric, timestamptz, interval, arrays, json, bytea hex, uuid and enums, and
 * no type name from the source is ever spliced into SQL. Stateless.
 */
public final class PostgresValues implements ValueBinding {
  static final PostgresValues INSTANCE = new PostgresValues();

  private PostgresValues() {
  }

  @Override
  public void bindNull(PreparedStatement ps, int index) throws SQLException {
    ps.setNull(index, Types.OTHER);
  }

  @Override
  public void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    ps.setObject(index, text, Types.OTHER);
  }

  @Override
  public void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    if (time == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
    }
  }

  @Override
  public Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
  }

  /**
   * The text a target column's input function reads back as {@code value} (null for NULL): what
   * COPY and the set-based statements over {@code text[]} send. Unchanged TOAST values have none.
   */
  public static String inputText(Value value) {
    return switch (value) {
      case Value.Null n -> null;
      case Value.Text t -> t.value();
      case Value.Int64 i -> Long.toString(i.value());
      case Value.Float64 f -> Double.isNaN(f.value()) ? "NaN" : Double.toString(f.value());
      case Value.Bytes b -> "\\x" + HexFormat.of().formatHex(b.value());
      case Value.Unchanged u -> throw new IllegalStateException("an unchanged TOAST value has no input text");
    };
  }
}
