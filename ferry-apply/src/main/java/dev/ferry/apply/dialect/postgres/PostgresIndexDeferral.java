package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.IndexDeferral;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's {@link IndexDeferral}: a seed builds its target tables' indexes after the copy.
 *
 * <p>{@link #defer} runs in the transaction that empties the tables (so they are empty when their
 * indexes go): it records each index's exact definition ({@code pg_get_indexdef}, or
 * {@code pg_get_constraintdef} for a primary key, unique or exclusion constraint) in
 * {@code _ferry.sync_indexes} and drops it. {@link #build} then creates them again from that
 * record and deletes it, in one transaction per table. A seed killed between the two leaves the
 * record, with the table lacking its indexes; the next seed keeps those definitions (they are no
 * longer in the catalog) and builds them after its own copy. An index left in place is one a
 * re-creation could not reproduce exactly or that something depends on: used by a foreign key,
 * the replica identity, the clustering index, in a tablespace of its own, carrying a comment, a
 * partition's index or an invalid one, or on a table the replica's user does not own (it could
 * not drop it); it is kept and maintained during the copy as before.
 *
 * <p>Stateless; the caller owns the connection and its transaction.
 */
final class PostgresIndexDeferral implements IndexDeferral {
  static final PostgresIndexDeferral INSTANCE = new PostgresIndexDeferral();
  private static final Logger log = LoggerFactory.getLogger(PostgresIndexDeferral.class);
  private static final PostgresControlTables TABLES = PostgresControlTables.INSTANCE;
  private static final String TABLE = TABLES.syncIndexes();
  /** Sorting memory for the builds, unless the server is set higher. */
  private static final long BUILD_MEMORY = 256L << 20;

  private PostgresIndexDeferral() {
  }

  /** The statement that builds {@code index} again. */
  private static String createSql(Index index) {
    return index.constraint() ? "ALTER TABLE " + index.table() + " ADD CONSTRAINT " + quote(index.name()) + " "
        + index.definition() : index.definition();
  }

  @Override
  public Map<String, List<Index>> defer(Connection c, List<String> tables, String prefix) throws SQLException {
    TABLES.createSyncIndexes(c);
    Map<String, List<Index>> pending = recorded(c);
    Map<String, List<Index>> result = new LinkedHashMap<>();
    Set<String> seeded = new HashSet<>();
    for (String name : tables) {
      seeded.add(name);
      List<Index> indexes = new ArrayList<>(pending.getOrDefault(name, List.of()));
      if (!indexes.isEmpty()) {
        log.info("{}{} lacks {} indexes a killed seed dropped; building them after the copy", prefix, name,
            indexes.size());
      }
      for (Index index : droppable(c, name)) {
        indexes.removeIf(i -> i.name().equals(index.name()));
        indexes.add(index);
        drop(c, index);
      }
      record(c, name, indexes);
      if (!indexes.isEmpty()) {
        result.put(name, indexes);
      }
    }
    for (Map.Entry<String, List<Index>> left : pending.entrySet()) {
      if (!seeded.contains(left.getKey())) {
        log.info("{}{} is not part of this seed but lacks {} indexes a killed seed dropped; building them now",
            prefix, left.getKey(), left.getValue().size());
        build(c, left.getKey(), left.getValue(), prefix);
      }
    }
    return result;
  }

  @Override
  public void build(Connection c, String table, List<Index> indexes, String prefix) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT pg_size_bytes(current_setting('maintenance_work_mem'))")) {
        if (rs.next() && rs.getLong(1) < BUILD_MEMORY) {
          st.execute("SET LOCAL maintenance_work_mem = '" + (BUILD_MEMORY >> 20) + "MB'");
        }
      }
      for (Index index : indexes) {
        try {
          st.execute(createSql(index));
        } catch (SQLException e) {
          throw new SQLException(prefix + "cannot build " + (index.constraint() ? "constraint " : "index ")
              + index.name() + " of " + table + " again after the copy (" + createSql(index) + "): "
              + e.getMessage() + "; its definition stays in " + TABLE + " and the next seed tries again",
              e.getSQLState(), e);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE table_name = ?")) {
      ps.setString(1, table);
      ps.executeUpdate();
    }
  }

  /** The recorded indexes per table, in build order (a killed seed's). */
  private static Map<String, List<Index>> recorded(Connection c) throws SQLException {
    Map<String, List<Index>> pending = new LinkedHashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT table_name, name, is_constraint, definition FROM " + TABLE + " ORDER BY table_name, ord")) {
      while (rs.next()) {
        pending.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
            .add(new Index(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)));
      }
    }
    return pending;
  }

  /** The table's indexes that can be dropped and built again exactly; constraints first. */
  private static List<Index> droppable(Connection c, String table) throws SQLException {
    List<Index> indexes = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT coalesce(con.conname, ic.relname), con.oid IS NOT NULL,
               CASE WHEN con.oid IS NULL THEN pg_get_indexdef(i.indexrelid) ELSE pg_get_constraintdef(con.oid) END
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_class tc ON tc.oid = i.indrelid
          LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                     AND con.contype IN ('p', 'u', 'x')
         WHERE i.indrelid = to_regclass(?) AND tc.relkind = 'r' AND pg_has_role(tc.relowner, 'USAGE')
           AND i.indisvalid AND i.indisready AND NOT i.indisclustered AND NOT i.indisreplident
           AND ic.reltablespace = 0
           AND obj_description(i.indexrelid, 'pg_class') IS NULL
           AND (con.oid IS NULL OR obj_description(con.oid, 'pg_constraint') IS NULL)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
           AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid OR h.inhparent = i.indexrelid)
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass
                             AND d.refobjid = i.indexrelid AND d.deptype = 'n')
         ORDER BY con.contype = 'p' DESC NULLS LAST, con.oid IS NULL, ic.relname""")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          indexes.add(new Index(table, rs.getString(1), rs.getBoolean(2), rs.getString(3)));
        }
      }
    }
    return indexes;
  }

  private static void drop(Connection c, Index index) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(index.constraint() ? "ALTER TABLE " + index.table() + " DROP CONSTRAINT " + quote(index.name())
          : "DROP INDEX " + qualified(c, index));
    }
  }

  /** The index's name qualified by its table's schema (an index lives in its table's schema). */
  private static String qualified(Connection c, Index index) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT quote_ident(n.nspname) FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
            + " WHERE t.oid = to_regclass(?)")) {
      ps.setString(1, index.table());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1) + "." + quote(index.name());
      }
    }
  }

  private static void record(Connection c, String table, List<Index> indexes) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM " + TABLE + " WHERE table_name = ?")) {
      del.setString(1, table);
      del.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
        + " (table_name, name, is_constraint, definition, ord) VALUES (?, ?, ?, ?, ?)")) {
      for (int i = 0; i < indexes.size(); i++) {
        Index index = indexes.get(i);
        ps.setString(1, table);
        ps.setString(2, index.name());
        ps.setBoolean(3, index.constraint());
        ps.setString(4, index.definition());
        ps.setInt(5, i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
