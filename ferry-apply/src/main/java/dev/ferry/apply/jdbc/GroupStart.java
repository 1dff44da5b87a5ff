package dev.ferry.apply.jdbc;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.Dialect.LockedRead;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * What a target transaction of applied changes reads when it opens, in one round trip
 * ({@link Dialect#bothReads}): the replica's progress row ({@link ProgressStore#read}, locked for
 * update when {@code lockProgress}) and the table-copy marks ({@link TableCopyGate#read}, locked
 * shared, the gate row too where there is one). Then it marks the start for a capture of this target ({@link Dialect#markApplied});
 * {@link ProgressStore#write} marks the end.
 * On a loaded target a round trip is a large part of a small group's cost (docs/benchmarks.md).
 */
record GroupStart(ReplicaPosition position, Map<TableId, TableCopyGate.Mark> marks) {
  static GroupStart open(Connection c, Dialect dialect, ProgressStore progress, String source, boolean lockProgress)
      throws SQLException {
    LockedRead row = new LockedRead("'p', " + ProgressStore.COLUMNS + ", NULL, NULL, NULL",
        dialect.controlTables().progress() + " WHERE source = ?", lockProgress ? dialect.lockRows(false) : "");
    LockedRead copies = new LockedRead("'m', NULL, NULL, NULL, NULL, " + TableCopyGate.COLUMNS,
        dialect.controlTables().tableCopies() + " WHERE source = ?", dialect.lockRows(true));
    ReplicaPosition position = progress.initial();
    Map<TableId, TableCopyGate.Mark> marks = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(dialect.bothReads(row, copies))) {
      ps.setString(1, source);
      ps.setString(2, source);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if ("p".equals(rs.getString(1))) {
            position = progress.position(rs, 2);
          } else {
            TableCopyGate.mark(rs, 6).ifPresent(mark -> marks.put(mark.table(), mark));
          }
        }
      }
    }
    dialect.markApplied(c, true);
    return new GroupStart(position, marks);
  }
}
