package dev.ferry.apply.dialect;

import dev.ferry.journal.model.JournalPosition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/** What the control tables look like on every target: the archive loads table and the progress read. */
public abstract class SharedControlTables implements ControlTables {
  /** The timestamp in column {@code index}, as this target stores it. */
  protected abstract Optional<Instant> readTime(ResultSet rs, int index) throws SQLException;

  @Override
  public void createArchiveLoads(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + archiveLoads() + " (replica text PRIMARY KEY, archive text NOT NULL,"
          + " replication_point text NOT NULL, loaded_at text NOT NULL)");
    }
  }

  @Override
  public Optional<Progress> readProgress(Connection c, String source) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT applied_gtids, journal_position, last_commit_time FROM "
        + progress() + " WHERE source = ?")) {
      ps.setString(1, source);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Progress(rs.getString(1),
            Optional.ofNullable(rs.getString(2)).map(JournalPosition::parse), readTime(rs, 3)));
      }
    }
  }
}
