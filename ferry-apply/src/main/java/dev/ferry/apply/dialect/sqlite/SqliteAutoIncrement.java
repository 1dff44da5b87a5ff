package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.CounterPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Raises the {@code AUTOINCREMENT} counters of a promoted SQLite target ({@code sqlite_sequence})
 * by the promotion's gap above the highest id each table used, so ids the old primary handed out
 * after the last transaction the replica received are not handed out again. The value planned for
 * each table is kept in {@code ferry_sequences} ({@link CounterPlan}), so running the promotion
 * again sets the same value instead of adding the gap twice. Stateless; in
 * the caller's transaction.
 */
final class SqliteAutoIncrement {
  private SqliteAutoIncrement() {
  }

  /** Every {@code AUTOINCREMENT} table but Ferry's own, raised; returns the values set, by table. */
  static List<String> raise(Connection c, String promotion, long gap) throws SQLException {
    List<String> raised = new ArrayList<>();
    for (String table : tables(c)) {
      long value = CounterPlan.of(c, SqliteControlTables.INSTANCE.sequences(), promotion, table, gap,
          () -> Math.max(scalar(c, "SELECT seq FROM sqlite_sequence WHERE name = ?", table),
              scalar(c, "SELECT max(rowid) FROM " + SqliteSyntax.INSTANCE.quote(table), null)));
      set(c, table, value);
      raised.add(table + "=" + value);
    }
    return raised;
  }

  private static List<String> tables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    List<String> own = SqliteControlTables.INSTANCE.all();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema"
        + " WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        + " AND name NOT LIKE '\\_ferry\\_%' ESCAPE '\\' ORDER BY name")) {
      while (rs.next()) {
        if (!own.contains(rs.getString(1))) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static long scalar(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (parameter != null) {
        ps.setString(1, parameter);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Never moves a counter back: a later local insert may have raised it already. */
  private static void set(Connection c, String table, long value) throws SQLException {
    try (PreparedStatement up = c.prepareStatement("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?")) {
      up.setLong(1, value);
      up.setString(2, table);
      if (up.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement in = c.prepareStatement("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)")) {
      in.setString(1, table);
      in.setLong(2, value);
      in.executeUpdate();
    }
  }
}
