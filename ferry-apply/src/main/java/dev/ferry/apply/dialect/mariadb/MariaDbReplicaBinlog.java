package dev.ferry.apply.dialect.mariadb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether what Ferry writes to a MariaDB target goes to that server's binlog: as for MariaDB's own
 * replica threads, only when the server logs a replica's writes ({@code log_slave_updates=ON}).
 * With {@code log_bin} on and {@code log_slave_updates} off (MariaDB's default), each of Ferry's
 * sessions turns its binlogging off ({@code SET SESSION sql_log_bin = 0}), so the target pays no
 * binlog write and no second fsync per commit for replicated data, as a native replica does not.
 * That needs the {@code BINLOG ADMIN} (or {@code SUPER}) privilege; without it Ferry's writes are
 * binlogged as before and a warning says so once per server and user. Thread-safe.
 */
final class MariaDbReplicaBinlog {
  private static final Logger log = LoggerFactory.getLogger(MariaDbReplicaBinlog.class);
  private static final int ACCESS_DENIED = 1227;
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private MariaDbReplicaBinlog() {
  }

  /** Turns this session's binlogging off unless the server logs a replica's writes; true if it did. */
  static boolean follow(Connection c) throws SQLException {
    String server;
    String user;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT @@log_bin, @@log_slave_updates, @@sql_log_bin, CURRENT_USER(), @@hostname, @@port")) {
      rs.next();
      if (rs.getInt(1) != 1 || rs.getInt(2) == 1 || rs.getInt(3) == 0) {
        return false; // no binlog, a replica's writes logged on purpose, or off already
      }
      user = rs.getString(4);
      server = rs.getString(5) + ":" + rs.getInt(6);
    }
    try (Statement st = c.createStatement()) {
      st.execute("SET SESSION sql_log_bin = 0");
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() != ACCESS_DENIED) {
        throw e;
      }
      if (WARNED.add(server + "/" + user)) {
        log.warn("MariaDB target {}: Ferry's user {} may not turn its sessions' binlogging off (SET SESSION sql_log_bin"
            + " needs BINLOG ADMIN: {}), so what Ferry applies goes to this server's binlog although log_slave_updates"
            + " is OFF (a binlog write and fsync more per commit than a MariaDB replica pays); GRANT BINLOG ADMIN ON *.*"
            + " TO {}, or set log_slave_updates=ON to log Ferry's writes on purpose (docs/apply.md#mariadb-targets)",
            server, user, e.getMessage(), user);
      }
      return false;
    }
  }
}
