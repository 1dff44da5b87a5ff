package dev.ferry.apply.dialect;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * How journal values are bound to a target's statements, converted as the target needs, and how
 * Ferry's own timestamps are stored and read back. Stateless and thread-safe.
 */
public interface ValueBinding {
  /**
   * Binds {@code value} of source {@code column} to parameter {@code index}.
   *
   * @throws ValueConversionException when the value cannot be converted to what the target stores
   */
  default void bind(PreparedStatement ps, int index, Value value, Column column) throws SQLException {
    switch (value) {
      case Value.Null n -> bindNull(ps, index);
      case Value.Text t -> bindText(ps, index, t.value(), column);
      case Value.Int64 i -> ps.setLong(index, i.value());
      case Value.Float64 f -> ps.setDouble(index, f.value());
      case Value.Bytes b -> ps.setBytes(index, b.value());
      case Value.Unchanged u -> throw new IllegalStateException("an unchanged TOAST value of " + column.name()
          + " cannot be bound");
    }
  }

  /** Binds SQL NULL the way the target's driver wants it. */
  void bindNull(PreparedStatement ps, int index) throws SQLException;

  /** Binds a value in the source's text form, converted as the target needs. */
  void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException;

  /** Binds a timestamp of Ferry's own (a conflict's time; null: SQL NULL) as this target stores it. */
  void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException;

  /** Reads a timestamp of Ferry's own stored by {@link #bindTime}. */
  Optional<Instant> readTime(ResultSet rs, int index) throws SQLException;
}
