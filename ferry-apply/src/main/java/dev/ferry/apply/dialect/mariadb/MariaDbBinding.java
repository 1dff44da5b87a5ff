package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.ValueBinding;
import dev.ferry.journal.model.Column;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Value binding on MariaDB: text values converted by {@link MariaDbValues}; Ferry's own timestamps
 * as UTC {@code DATETIME(6)} values (no zone is applied on the way in or out). Stateless.
 */
final class MariaDbBinding implements ValueBinding {
  static final MariaDbBinding INSTANCE = new MariaDbBinding();

  private MariaDbBinding() {
  }

  @Override
  public void bindNull(PreparedStatement ps, int index) throws SQLException {
    ps.setNull(index, Types.NULL);
  }

  @Override
  public void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    MariaDbValues.bindText(ps, index, text, column);
  }

  @Override
  public void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    if (time == null) {
      ps.setNull(index, Types.TIMESTAMP);
    } else {
      ps.setObject(index, LocalDateTime.ofInstant(time, ZoneOffset.UTC));
    }
  }

  @Override
  public Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return Optional.ofNullable(rs.getObject(index, LocalDateTime.class)).map(t -> t.toInstant(ZoneOffset.UTC));
  }
}
