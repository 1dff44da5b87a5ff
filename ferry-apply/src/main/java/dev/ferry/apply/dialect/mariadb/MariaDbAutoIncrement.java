package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.CounterPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raises the {@code AUTO_INCREMENT} counters of a promoted MariaDB target by the promotion's gap
 * above the highest id each table used (its counter less one or its column's highest value, whichever
 * is higher), so ids the old primary handed out after the last transaction the replica received, and
 * ids its rolled-back transactions consumed, are not handed out again. Only the tables of the replica
 * URL's database with an {@code AUTO_INCREMENT} column, Ferry's {@code ferry_} tables excepted.
 *
 * <p>The value planned for each table ({@code highest + gap}, the last id taken as used) is kept in
 * {@code ferry_sequences} under {@code autoincrement:<promotion>:<table>} ({@link CounterPlan}), so running the
 * promotion again sets the same value instead of adding the gap twice. The counter is then set with {@code
 * ALTER TABLE t AUTO_INCREMENT = value + 1} (the next id), only when it is lower: InnoDB would move
 * a counter back down to the column's highest value plus one. MariaDB commits each {@code ALTER
 * TABLE} on its own, so the caller's open transaction (the plan's rows among it) is committed by the
 * first one; InnoDB keeps the counter across restarts (10.2.4+). Stateless.
 */
final class MariaDbAutoIncrement {
  private MariaDbAutoIncrement() {
  }

  /** Every {@code AUTO_INCREMENT} table but Ferry's own, raised; returns the values planned, by table. */
  static List<String> raise(Connection c, String promotion, long gap) throws SQLException {
    List<String> raised = new ArrayList<>();
    Map<String, String> tables = tables(c);
    Map<String, Long> values = new LinkedHashMap<>();
    for (Map.Entry<String, String> t : tables.entrySet()) {
      long value = CounterPlan.of(c, MariaDbControlTables.INSTANCE.sequences(), promotion, t.getKey(), gap,
          () -> Math.max(counter(c, t.getKey()) - 1, scalar(c, "SELECT COALESCE(MAX("
              + MariaDbSyntax.INSTANCE.quote(t.getValue()) + "), 0) FROM " + MariaDbSyntax.INSTANCE.quote(t.getKey()))));
      values.put(t.getKey(), value);
      raised.add(t.getKey() + "=" + value);
    }
    for (Map.Entry<String, Long> v : values.entrySet()) { // after every plan row: the first ALTER commits them
      set(c, v.getKey(), v.getValue() + 1);
    }
    return raised;
  }

  /** The base tables of the URL's database with an {@code AUTO_INCREMENT} column, by name, with that column. */
  private static Map<String, String> tables(Connection c) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> own = MariaDbControlTables.INSTANCE.all();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT k.TABLE_NAME, k.COLUMN_NAME"
        + " FROM information_schema.COLUMNS k JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = k.TABLE_SCHEMA"
        + " AND t.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'"
        + " AND k.EXTRA LIKE '%auto_increment%' ORDER BY k.TABLE_NAME")) {
      while (rs.next()) {
        if (!own.contains(rs.getString(1))) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  /** The table's next {@code AUTO_INCREMENT} value (1 when the server shows none). */
  private static long counter(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : 1;
      }
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Never moves a counter back: a later local insert may have raised it already. */
  private static void set(Connection c, String table, long next) throws SQLException {
    if (counter(c, table) < next) {
      try (Statement st = c.createStatement()) {
        st.execute("ALTER TABLE " + MariaDbSyntax.INSTANCE.quote(table) + " AUTO_INCREMENT = " + next);
      }
    }
  }
}
