package dev.ferry.capture.binlog;

import dev.ferry.journal.model.Gtid;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * MariaDB GTID positions ({@code @@gtid_binlog_pos}: one {@code domain-server-seq} per domain,
 * comma-separated) as a map from domain to its last GTID. Stateless.
 */
final class GtidPositions {
  private GtidPositions() {
  }

  /**
   * Parses a position; the empty text is the empty position.
   *
   * @throws IllegalArgumentException naming the text when it is not a GTID position
   */
  static Map<Long, Gtid> parse(String text) {
    Map<Long, Gtid> out = new TreeMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      Gtid g = Gtid.parse(part.strip());
      if (out.put(g.domain(), g) != null) {
        throw new IllegalArgumentException("GTID position '" + text + "' names domain " + g.domain() + " twice");
      }
    }
    return out;
  }

  /** The text MariaDB reads as a position ({@code @slave_connect_state}). */
  static String format(Map<Long, Gtid> position) {
    return position.values().stream().map(Gtid::toString).collect(Collectors.joining(","));
  }

  /** The server's {@code @@gtid_binlog_pos}: the last GTID its binlog holds in each domain. */
  static Map<Long, Gtid> binlogPosition(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      return parse(rs.getString(1));
    }
  }

  /**
   * The GTID position at binlog {@code file} and {@code offset} ({@code BINLOG_GTID_POS}): the last
   * GTID of each domain written before that point; empty when the server no longer holds the file.
   */
  static Map<Long, Gtid> at(Connection c, String file, long offset) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT BINLOG_GTID_POS(?, ?)")) {
      ps.setString(1, file);
      ps.setLong(2, offset);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return parse(rs.getString(1));
      }
    }
  }
}
