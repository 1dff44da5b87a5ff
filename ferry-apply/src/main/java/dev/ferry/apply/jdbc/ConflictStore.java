package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The conflicts a replica recorded in its target's {@code conflicts} table (written by the
 * applier, see {@code docs/apply.md}): a filtered list, newest first, one by id, and an operator's
 * mark that one is resolved. Reads work on a table an earlier version made (without the resolution
 * columns: nothing is resolved there); {@link #resolve} adds the columns first. Stateless; the
 * caller owns the connection, which must be one of Ferry's sessions to write to a read-only replica
 * ({@link Dialect#markFerrySession}).
 */
public final class ConflictStore {
  /** The type of the row a skipped transaction leaves (no row conflicted: an operator skipped it). */
  public static final String SKIPPED = "skipped";

  private ConflictStore() {
  }

  /**
   * One recorded conflict.
   *
   * @param type a {@link dev.ferry.apply.ConflictType} label, or {@link #SKIPPED}
   * @param localRow the target's row, if there was one
   * @param remoteRow the row the source sent
   * @param resolution what the applier did ({@code overwritten}, {@code stopped}, …)
   * @param resolvedAt when an operator marked it resolved; empty while unresolved
   */
  public record Conflict(long id, Optional<Instant> detectedAt, String replica, String source, String gtid,
      String type, String table, String key, Optional<String> localRow, Optional<String> remoteRow,
      String resolution, Optional<Instant> resolvedAt, Optional<String> resolvedBy, Optional<String> resolutionNote) {

    public boolean resolved() {
      return resolvedAt.isPresent();
    }
  }

  /**
   * Which conflicts to list: those of {@code replica}, of {@code table} ({@code schema.name}) and
   * {@code type} when given, detected at or after {@code since}, resolved or not when
   * {@code resolved} says, at most {@code limit}.
   */
  public record Filter(String replica, Optional<String> table, Optional<String> type, Optional<Instant> since,
      Optional<Boolean> resolved, int limit) {
    public Filter {
      Objects.requireNonNull(replica, "replica");
      if (limit < 1) {
        throw new IllegalArgumentException("limit " + limit + " is not positive");
      }
    }
  }

  /** Who marks a conflict resolved, when, and why (the note, if any). */
  public record Resolution(Instant at, String by, Optional<String> note) {
    public Resolution {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(note, "note");
    }
  }

  /** A conflict already marked resolved: it stays as it was marked. */
  public static final class AlreadyResolvedException extends Exception {
    private final transient Conflict conflict;

    AlreadyResolvedException(Conflict conflict) {
      super("conflict " + conflict.id() + " of replica " + conflict.replica() + " was resolved at "
          + conflict.resolvedAt().map(Instant::toString).orElse("?") + " by " + conflict.resolvedBy().orElse("?"));
      this.conflict = conflict;
    }

    public Conflict conflict() {
      return conflict;
    }
  }

  /** The conflicts {@code filter} selects, newest first; none on a target that has no conflicts table yet. */
  public static List<Conflict> list(Connection c, Filter filter) throws SQLException {
    Dialect dialect = Dialect.of(c);
    if (!dialect.controlTables().exists(c, ControlTables.CONFLICTS)) {
      return List.of(); // a replica never started
    }
    String table = dialect.controlTables().conflicts();
    StringBuilder sql = new StringBuilder("SELECT * FROM ").append(table).append(" WHERE replica = ?");
    filter.table().ifPresent(t -> sql.append(" AND table_name = ?"));
    filter.type().ifPresent(t -> sql.append(" AND conflict_type = ?"));
    filter.since().ifPresent(t -> sql.append(" AND detected_at >= ?"));
    if (filter.resolved().isPresent()) {
      if (hasResolutionColumns(c, table)) {
        sql.append(filter.resolved().get() ? " AND resolved_at IS NOT NULL" : " AND resolved_at IS NULL");
      } else if (filter.resolved().get()) {
        return List.of(); // a table from before resolutions: none resolved
      }
    }
    sql.append(" ORDER BY id DESC LIMIT ").append(filter.limit());
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      ps.setString(i++, filter.replica());
      if (filter.table().isPresent()) {
        ps.setString(i++, filter.table().get());
      }
      if (filter.type().isPresent()) {
        ps.setString(i++, filter.type().get());
      }
      if (filter.since().isPresent()) {
        dialect.values().bindTime(ps, i, filter.since().get());
      }
      return read(dialect, ps);
    }
  }

  /** The conflict {@code id} of {@code replica}, if recorded. */
  public static Optional<Conflict> get(Connection c, String replica, long id) throws SQLException {
    Dialect dialect = Dialect.of(c);
    if (!dialect.controlTables().exists(c, ControlTables.CONFLICTS)) {
      return Optional.empty();
    }
    String sql = "SELECT * FROM " + dialect.controlTables().conflicts() + " WHERE replica = ? AND id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, replica);
      ps.setLong(2, id);
      return read(dialect, ps).stream().findFirst();
    }
  }

  /**
   * Marks conflict {@code id} of {@code replica} resolved (autocommit connection; the resolution
   * columns are added first on a table an earlier version made). Of two operators resolving one
   * conflict at once, one wins and the other is told.
   *
   * @return the conflict as marked; empty when the replica recorded no such conflict
   * @throws AlreadyResolvedException when it was marked resolved before
   */
  public static Optional<Conflict> resolve(Connection c, String replica, long id, Resolution resolution)
      throws SQLException, AlreadyResolvedException {
    Dialect dialect = Dialect.of(c);
    ControlTables tables = dialect.controlTables();
    if (!tables.exists(c, ControlTables.CONFLICTS)) {
      return Optional.empty();
    }
    tables.prepare(c);
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + tables.conflicts() + " SET resolved_at = ?,"
        + " resolved_by = ?, resolution_note = ? WHERE replica = ? AND id = ? AND resolved_at IS NULL")) {
      dialect.values().bindTime(ps, 1, resolution.at());
      ps.setString(2, resolution.by());
      ps.setString(3, resolution.note().orElse(null));
      ps.setString(4, replica);
      ps.setLong(5, id);
      if (ps.executeUpdate() == 1) {
        return get(c, replica, id);
      }
    }
    Optional<Conflict> found = get(c, replica, id);
    if (found.isPresent()) {
      throw new AlreadyResolvedException(found.get());
    }
    return found;
  }

  private static boolean hasResolutionColumns(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " WHERE 1 = 0");
        ResultSet rs = ps.executeQuery()) {
      return columns(rs.getMetaData()).containsKey("resolved_at");
    }
  }

  private static Map<String, Integer> columns(ResultSetMetaData meta) throws SQLException {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      byName.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
    }
    return byName;
  }

  private static List<Conflict> read(Dialect dialect, PreparedStatement ps) throws SQLException {
    List<Conflict> all = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      Map<String, Integer> col = columns(rs.getMetaData());
      Integer resolvedAt = col.get("resolved_at");
      while (rs.next()) {
        all.add(new Conflict(rs.getLong(col.get("id")), dialect.values().readTime(rs, col.get("detected_at")),
            text(rs, col, "replica"), text(rs, col, "source"), text(rs, col, "gtid"), text(rs, col, "conflict_type"),
            text(rs, col, "table_name"), text(rs, col, "row_key"), optional(rs, col, "local_row"),
            optional(rs, col, "remote_row"), text(rs, col, "resolution"),
            resolvedAt == null ? Optional.empty() : dialect.values().readTime(rs, resolvedAt),
            optional(rs, col, "resolved_by"), optional(rs, col, "resolution_note")));
      }
    }
    return all;
  }

  private static String text(ResultSet rs, Map<String, Integer> col, String name) throws SQLException {
    return rs.getString(col.get(name));
  }

  /** The column's text; empty when null or when the table has no such column (made by an earlier version). */
  private static Optional<String> optional(ResultSet rs, Map<String, Integer> col, String name) throws SQLException {
    Integer index = col.get(name);
    return index == null ? Optional.empty() : Optional.ofNullable(rs.getString(index));
  }
}
