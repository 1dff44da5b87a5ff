package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConflictType;
import dev.ferry.apply.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the conflicts a replica recorded in its target's {@code conflicts} table (written by the
 * applier, see {@code docs/apply.md}): a filtered list, newest first, or one by id. Stateless; the
 * caller owns the connection.
 */
public final class ConflictStore {
  private static final String COLUMNS = "id, detected_at, replica, source, gtid, conflict_type, table_name, row_key,"
      + " local_row, remote_row, resolution";

  private ConflictStore() {
  }

  /**
   * One recorded conflict.
   *
   * @param localRow the target's row, if there was one
   * @param remoteRow the row the source sent
   */
  public record Conflict(long id, Optional<Instant> detectedAt, String replica, String source, String gtid,
      String type, String table, String key, Optional<String> localRow, Optional<String> remoteRow,
      String resolution) {}

  /**
   * Which conflicts to list: those of {@code replica}, of {@code table} ({@code schema.name}) and
   * {@code type} when given, at most {@code limit}.
   */
  public record Filter(String replica, Optional<String> table, Optional<ConflictType> type, int limit) {
    public Filter {
      Objects.requireNonNull(replica, "replica");
      if (limit < 1) {
        throw new IllegalArgumentException("limit " + limit + " is not positive");
      }
    }
  }

  /** The conflicts {@code filter} selects, newest first. */
  public static List<Conflict> list(Connection c, Filter filter) throws SQLException {
    Dialect dialect = Dialect.of(c);
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ")
        .append(dialect.controlTables().conflicts()).append(" WHERE replica = ?");
    filter.table().ifPresent(t -> sql.append(" AND table_name = ?"));
    filter.type().ifPresent(t -> sql.append(" AND conflict_type = ?"));
    sql.append(" ORDER BY id DESC LIMIT ").append(filter.limit());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      ps.setString(i++, filter.replica());
      if (filter.table().isPresent()) {
        ps.setString(i++, filter.table().get());
      }
      if (filter.type().isPresent()) {
        ps.setString(i, filter.type().get().label());
      }
      return read(dialect, ps);
    }
  }

  /** The conflict {@code id} of {@code replica}, if recorded. */
  public static Optional<Conflict> get(Connection c, String replica, long id) throws SQLException {
    Dialect dialect = Dialect.of(c);
    String sql = "SELECT " + COLUMNS + " FROM " + dialect.controlTables().conflicts() + " WHERE replica = ? AND id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, replica);
      ps.setLong(2, id);
      return read(dialect, ps).stream().findFirst();
    }
  }

  private static List<Conflict> read(Dialect dialect, PreparedStatement ps) throws SQLException {
    List<Conflict> all = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        all.add(new Conflict(rs.getLong(1), dialect.values().readTime(rs, 2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), Optional.ofNullable(rs.getString(9)),
            Optional.ofNullable(rs.getString(10)), rs.getString(11)));
      }
    }
    return all;
  }
}
