package dev.ferry.apply.sync;

import dev.ferry.journal.TableId;
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
    return new SourceTable(table, columns, key, rows, pages);
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
