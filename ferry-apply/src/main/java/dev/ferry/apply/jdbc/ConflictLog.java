package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Writes rows of the target's {@code conflicts} table. Stateless apart from its names; one thread. */
final class ConflictLog {
  private final Dialect dialect;
  private final String replica;
  private final String source;

  ConflictLog(Dialect dialect, String replica, String source) {
    this.dialect = dialect;
    this.replica = replica;
    this.source = source;
  }

  /** The conflicts table's name, as the dialect spells it. */
  String table() {
    return dialect.controlTables().conflicts();
  }

  void insert(Connection c, ConflictRecord r) throws SQLException {
    String sql = "INSERT INTO " + dialect.controlTables().conflicts() + " (detected_at, replica, source, gtid, conflict_type,"
        + " table_name, row_key, local_row, remote_row, resolution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      dialect.values().bindTime(ps, 1, r.detectedAt());
      ps.setString(2, replica);
      ps.setString(3, source);
      ps.setString(4, r.gtid().toString());
      ps.setString(5, r.type().label());
      ps.setString(6, r.table().toString());
      ps.setString(7, r.key());
      ps.setString(8, r.localRow().orElse(null));
      ps.setString(9, r.remoteRow());
      ps.setString(10, r.resolution());
      ps.executeUpdate();
    }
  }

  /** The row of a transaction an operator skipped: resolved as it is written, by the operator. */
  void insertSkipped(Connection c, SkippedTransaction skip) throws SQLException {
    String sql = "INSERT INTO " + dialect.controlTables().conflicts() + " (detected_at, replica, source, gtid,"
        + " conflict_type, table_name, row_key, local_row, remote_row, resolution, resolved_at, resolved_by,"
        + " resolution_note) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      dialect.values().bindTime(ps, 1, skip.resolution().at());
      ps.setString(2, replica);
      ps.setString(3, source);
      ps.setString(4, skip.gtid().toString());
      ps.setString(5, ConflictStore.SKIPPED);
      ps.setString(6, skip.tables());
      ps.setString(7, "(whole transaction, " + skip.changes() + " change(s))");
      ps.setString(8, ConflictStore.SKIPPED);
      dialect.values().bindTime(ps, 9, skip.resolution().at());
      ps.setString(10, skip.resolution().by());
      ps.setString(11, skip.resolution().note().orElse(null));
      ps.executeUpdate();
    }
  }
}
