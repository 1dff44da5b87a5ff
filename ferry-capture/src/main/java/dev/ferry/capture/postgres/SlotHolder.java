package dev.ferry.capture.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The process streaming from a slot, as {@code pg_stat_activity} shows it: what capture names in
 * its log when it finds the slot held at start.
 */
record SlotHolder(int pid, String applicationName, String since) {
  static Optional<SlotHolder> of(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT s.active_pid, coalesce(a.application_name, ''), coalesce(a.backend_start::text, '?')
        FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
        WHERE s.slot_name = ? AND s.active_pid IS NOT NULL""")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new SlotHolder(rs.getInt(1), rs.getString(2), rs.getString(3)))
            : Optional.empty();
      }
    }
  }

  /** Ends the walsender; true if PostgreSQL signalled it. */
  boolean terminate(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
