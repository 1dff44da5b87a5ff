package dev.ferry.apply.sync;

import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads table definitions from a PostgreSQL source's catalog (inside the snapshot transaction). */
final class SourceCatalog {
  private SourceCatalog() {
  }

  static SourceTable describe(Connection c, TableId table) throws SQLException {
    String name = quote(table.schema()) + "." + quote(table.name());
    List<SourceTable.SourceColumn> columns = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum""")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new SourceTable.SourceColumn(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
        }
      }
    }
    if (columns.isEmpty()) {
      throw new SQLException("source table " + name + " does not exist", "42P01");
    }
    List<String> key = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname
          FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = to_regclass(?) AND i.indisprimary
         ORDER BY k.n""")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    long rows = 0;
    long pages = 0;
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT greatest(c.reltuples, 0)::bigint,
               pg_relation_size(c.oid) / current_setting('block_size')::bigint
          FROM pg_class c WHERE c.oid = to_regclass(?)""")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          rows = rs.getLong(1);
          pages = rs.getLong(2);
        }
      }
    }
    return new SourceTable(table, columns, key, rows, pages, sequences(c, name));
  }

  /**
   * The sequences the table's columns depend on: owned by a serial column (dependency 'a') or
   * internal to an identity column ('i'), with their current value (sequences are not
   * transactional: read now, at or above the snapshot's value).
   */
  private static List<SourceSequence> sequences(Connection c, String table) throws SQLException {
    List<SourceSequence> found = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        SELECT a.attname, a.attidentity, n.nspname, sc.relname, format_type(s.seqtypid, NULL),
               s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
          FROM pg_depend d
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          JOIN pg_sequence s ON s.seqrelid = d.objid
          JOIN pg_class sc ON sc.oid = s.seqrelid
          JOIN pg_namespace n ON n.oid = sc.relnamespace
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.refobjid = to_regclass(?) AND d.deptype IN ('a', 'i') AND NOT a.attisdropped
         ORDER BY a.attnum""")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TableId seq = new TableId(rs.getString(3), rs.getString(4));
          SourceSequence.Kind kind = switch (rs.getString(2)) {
            case "a" -> SourceSequence.Kind.ALWAYS;
            case "d" -> SourceSequence.Kind.BY_DEFAULT;
            default -> SourceSequence.Kind.SERIAL;
          };
          long[] value = lastValue(c, seq);
          found.add(new SourceSequence(rs.getString(1), seq, kind, rs.getString(5), rs.getLong(6), rs.getLong(7),
              rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getBoolean(11), value[0], value[1] != 0));
        }
      }
    }
    return found;
  }

  private static long[] lastValue(Connection c, TableId seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT last_value, is_called FROM " + quote(seq.schema()) + "."
        + quote(seq.name())); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0};
    }
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
