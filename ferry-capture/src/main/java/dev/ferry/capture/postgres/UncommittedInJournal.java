package dev.ferry.capture.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What a PostgreSQL source committed after the last transaction its journal holds, still in Ferry's
 * slot (a {@code kill -9} of capture leaves it there). Peeks at the slot, consuming nothing: a
 * pgoutput BEGIN message names its transaction's commit LSN.
 */
public final class UncommittedInJournal {
  private static final String PEEK = "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL,"
      + " 'proto_version', '1', 'publication_names', ?) WHERE get_byte(data, 0) = 66"
      + " AND ('x' || encode(substr(data, 2, 8), 'hex'))::bit(64)::bigint > ?";

  private UncommittedInJournal() {}

  /**
   * How many transactions committed after {@code lastLsn} the slot of {@code config} holds; empty
   * when the slot does not exist.
   *
   * @throws IOException when the database cannot be read, with its message
   */
  public static Optional<Long> count(PostgresSourceConfig config, long lastLsn) throws IOException {
    try (Connection conn = DriverManager.getConnection(config.jdbcUrl());
        PreparedStatement exists = conn.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?");
        PreparedStatement ps = conn.prepareStatement(PEEK)) {
      exists.setString(1, config.slotName());
      try (ResultSet rs = exists.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
      }
      ps.setString(1, config.slotName());
      ps.setString(2, config.publicationName());
      ps.setLong(3, lastLsn);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Optional.of(rs.getLong(1));
      }
    } catch (SQLException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
