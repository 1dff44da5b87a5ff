package dev.ferry.apply.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The value a promotion plans for one of a target's own id counters (SQLite {@code AUTOINCREMENT},
 * MariaDB {@code AUTO_INCREMENT}): the highest id the table used plus the gap, planned once and
 * kept in the target's sequences table under {@code autoincrement:<promotion>:<table>}, so running
 * the same promotion again gets the same value instead of adding the gap twice. Stateless; in the
 * caller's transaction.
 */
public final class CounterPlan {
  /** Reads the highest id a table used. */
  @FunctionalInterface
  public interface Highest {
    long read() throws SQLException;
  }

  private CounterPlan() {
  }

  /** The planned value for {@code table}: the one kept in {@code sequences}, else {@code highest + gap}, kept there. */
  public static long of(Connection c, String sequences, String promotion, String table, long gap, Highest highest)
      throws SQLException {
    String key = "autoincrement:" + promotion + ":" + table;
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + sequences + " WHERE name = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
    }
    long used = highest.read();
    long value = used > Long.MAX_VALUE - 1 - gap ? Long.MAX_VALUE - 1 : used + gap; // the next id, value + 1, fits
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + sequences + " (name, value) VALUES (?, ?)")) {
      ps.setString(1, key);
      ps.setLong(2, value);
      ps.executeUpdate();
    }
    return value;
  }
}
