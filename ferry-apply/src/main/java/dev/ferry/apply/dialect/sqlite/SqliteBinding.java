package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.ValueBinding;
import dev.ferry.journal.model.Column;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/** Value binding on SQLite: text values converted by {@link SqliteValues}, timestamps as ISO text. Stateless. */
final class SqliteBinding implements ValueBinding {
  static final SqliteBinding INSTANCE = new SqliteBinding();

  private SqliteBinding() {
  }

  @Override
  public void bindNull(PreparedStatement ps, int index) throws SQLException {
    ps.setNull(index, Types.NULL);
  }

  @Override
  public void bindText(PreparedStatement ps, int index, String text, Column column) throws SQLException {
    SqliteValues.bindText(ps, index, text, column);
  }

  @Override
  public void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
    if (time == null) {
      ps.setNull(index, Types.NULL);
    } else {
      ps.setString(index, time.toString());
    }
  }

  @Override
  public Optional<Instant> readTime(ResultSet rs, int index) throws SQLException {
    return Optional.ofNullable(rs.getString(index)).map(Instant::parse);
  }
}
