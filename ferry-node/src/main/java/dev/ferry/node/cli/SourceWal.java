package dev.ferry.node.cli;

import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.SourceSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * How much WAL a PostgreSQL source keeps for Ferry's slot ({@code pg_current_wal_lsn() -
 * restart_lsn}), for {@code ferry status}: the disk a stopped or lagging capture costs the source.
 * Reads only.
 */
final class SourceWal {
  private SourceWal() {}

  /** Empty for a SQLite source, or when the source or its slot cannot be read. */
  static Optional<Long> retainedBytes(FerryConfig config) {
    if (!(config.source().capture() instanceof SourceSpec.Postgres(PostgresSourceConfig pg))) {
      return Optional.empty();
    }
    String sql = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots"
        + " WHERE slot_name = ?";
    Properties props = new Properties();
    config.source().password().ifPresent(p -> props.setProperty("password", p.value()));
    props.setProperty("connectTimeout", "5"); // status must answer even when the source is down
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, pg.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }
}
