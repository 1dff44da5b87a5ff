package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * One row of {@code _ferry_changes}, decoded.
 *
 * @param id its increasing id (the source position of what it records)
 * @param table the table it belongs to
 * @param op {@code I}, {@code U} or {@code D}
 * @param schemaVersion {@code PRAGMA schema_version} when it was written
 * @param rowid the row's rowid, empty for {@code WITHOUT ROWID} tables
 * @param old the old row image (empty list for inserts), in the triggers' column order
 * @param row the new row image (empty list for deletes)
 */
record ChangeRow(long id, String table, String op, long schemaVersion, Optional<Long> rowid, List<Value> old,
    List<Value> row) {

  private static final String SELECT = "SELECT id, tbl, op, sv, rid, old_row, new_row FROM _ferry_changes WHERE id > ?";

  /** Calls {@code each} for every change row after {@code afterId}, oldest first, streaming. */
  static long forEachAfter(Connection c, long afterId, RowHandler each) throws SQLException {
    return forEachAfter(c, afterId, "", each);
  }

  /** Like {@link #forEachAfter(Connection, long, RowHandler)}, for rows also matching {@code andWhere}. */
  static long forEachAfter(Connection c, long afterId, String andWhere, RowHandler each) throws SQLException {
    long last = afterId;
    try (PreparedStatement ps = c.prepareStatement(SELECT + andWhere + " ORDER BY id")) {
      ps.setLong(1, afterId);
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(decode(rs));
          last = rs.getLong(1);
        }
      }
    }
    return last;
  }

  private static ChangeRow decode(ResultSet rs) throws SQLException {
    long id = rs.getLong(1);
    String where = "_ferry_changes row " + id;
    long rid = rs.getLong(5);
    Optional<Long> rowid = rs.wasNull() ? Optional.empty() : Optional.of(rid);
    String old = rs.getString(6);
    String row = rs.getString(7);
    return new ChangeRow(id, rs.getString(2), rs.getString(3), rs.getLong(4), rowid,
        old == null ? List.of() : RowCodec.decodeRow(old, where), row == null ? List.of() : RowCodec.decodeRow(row, where));
  }

  /** Receives change rows; may throw to stop. */
  @FunctionalInterface
  interface RowHandler {
    void accept(ChangeRow row) throws SQLException;
  }
}
