package dev.ferry.apply.sync;

import dev.ferry.apply.dialect.ControlTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Which export archive each replica was last loaded from, kept in the target's control table
 * {@code archive_loads} ({@link ControlTables} names it and holds its DDL), one row per
 * replica, written in the transaction that ends the load. A row with an empty
 * {@code replication_point} marks a replica loaded from an archive that is no replication point:
 * it must not stream ({@code InitialSync.needsSeed} refuses it). A seed from a snapshot deletes the
 * row. Stateless; the caller owns the connection and its transaction.
 */
public final class ArchiveLoads {
  /** A recorded load: the archive directory and its replication point's text (empty: none). */
  public record Load(String archive, String replicationPoint, Instant loadedAt) {
  }

  private ArchiveLoads() {
  }

  static void record(Connection c, ControlTables tables, String replica, String archive, String point, Instant now)
      throws SQLException {
    tables.createArchiveLoads(c);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tables.archiveLoads()
        + " (replica, archive, replication_point, loaded_at) VALUES (?, ?, ?, ?) ON CONFLICT (replica) DO UPDATE SET"
        + " archive = excluded.archive, replication_point = excluded.replication_point,"
        + " loaded_at = excluded.loaded_at")) {
      ps.setString(1, replica);
      ps.setString(2, archive);
      ps.setString(3, point);
      ps.setString(4, now.toString());
      ps.executeUpdate();
    }
  }

  /** The replica's last recorded load, if any (the table may not exist). */
  public static Optional<Load> read(Connection c, ControlTables tables, String replica) throws SQLException {
    if (!tables.exists(c, ControlTables.ARCHIVE_LOADS)) {
      return Optional.empty();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT archive, replication_point, loaded_at FROM "
        + tables.archiveLoads() + " WHERE replica = ?")) {
      ps.setString(1, replica);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Load(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3))))
            : Optional.empty();
      }
    }
  }

  /** Forgets the replica's load (in the caller's transaction): a seed replaced its data. */
  public static void forget(Connection c, ControlTables tables, String replica) throws SQLException {
    if (tables.exists(c, ControlTables.ARCHIVE_LOADS)) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + tables.archiveLoads() + " WHERE replica = ?")) {
        ps.setString(1, replica);
        ps.executeUpdate();
      }
    }
  }
}
