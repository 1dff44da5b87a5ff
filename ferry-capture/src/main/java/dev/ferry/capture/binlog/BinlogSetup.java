package dev.ferry.capture.binlog;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that a MariaDB source can be captured from its binlog, each failure naming the server
 * variable or grant to fix: {@code log_bin} on, {@code binlog_format=ROW},
 * {@code binlog_row_image=FULL}, a {@code server_id} of the source that differs from Ferry's
 * binlog connection's, the user's {@code REPLICATION SLAVE} and {@code REPLICATION CLIENT}
 * ({@code BINLOG MONITOR}) grants, and every captured column of a type Ferry captures. Ferry
 * writes nothing to a MariaDB source: setup only reads. Stateless but for the warnings already
 * given: a check runs at setup and again when capture starts, and a warning is given once per source
 * and server in a process.
 */
public final class BinlogSetup {
  private static final Logger log = LoggerFactory.getLogger(BinlogSetup.class);
  /** Sources (name and URL) already warned that forward-origins finds nothing to forward. */
  private static final Set<String> WARNED_NOTHING_TO_FORWARD = ConcurrentHashMap.newKeySet();

  private BinlogSetup() {
  }

  /**
   * Checks the source and returns the captured tables.
   *
   * @throws CaptureException naming the setting, grant or column to fix
   */
  public static List<TableId> check(MariaDbSourceConfig config) throws CaptureException {
    MariaDbUrl url = MariaDbUrl.parse(config.name(), config.jdbcUrl());
    try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
      checkVariables(config, c);
      checkGrants(config, c);
      BinlogCatalog catalog = new BinlogCatalog(config.name(), url.database(), config.tables());
      List<TableId> tables = catalog.tables(c);
      for (TableId t : tables) {
        catalog.shape(c, t.name());
      }
      return tables;
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot check MariaDB source " + url + " (source.url): "
          + e.getMessage(), e);
    }
  }

  static void checkVariables(MariaDbSourceConfig config, Connection c) throws SQLException, CaptureException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id, @@log_slave_updates")) {
      rs.next();
      String name = config.name();
      if (rs.getInt(1) != 1) {
        throw new CaptureException(name, "the MariaDB source has log_bin off: Ferry reads its binary log. Start"
            + " mariadbd with log_bin (e.g. log_bin=mariadb-bin in its [mariadbd] settings) and binlog_format=ROW");
      }
      if (!rs.getString(2).equalsIgnoreCase("ROW")) {
        throw new CaptureException(name, "the MariaDB source has binlog_format=" + rs.getString(2)
            + ": Ferry needs binlog_format=ROW (SET GLOBAL binlog_format=ROW and in the server's settings)");
      }
      if (!rs.getString(3).equalsIgnoreCase("FULL")) {
        throw new CaptureException(name, "the MariaDB source has binlog_row_image=" + rs.getString(3)
            + ": Ferry needs binlog_row_image=FULL (SET GLOBAL binlog_row_image=FULL and in the server's settings)");
      }
      long serverId = rs.getLong(4);
      if (serverId == config.replicaServerId()) {
        throw new CaptureException(name, "the MariaDB source's server_id is " + serverId + ", the same as Ferry's"
            + " binlog connection's: set source.binlog-server-id to a number no server or replica of it uses");
      }
      if (config.forwardApplied() && rs.getInt(5) != 1
          && WARNED_NOTHING_TO_FORWARD.add(config.name() + " " + config.jdbcUrl())) {
        log.warn("{} source.forward-origins is true, but the MariaDB source has log_slave_updates=OFF: what Ferry or"
            + " MariaDB's own replication applies to it is not written to its binlog, so there is none of it to forward"
            + " (only its local writes are captured); set log_slave_updates=ON in the server's settings to relay it",
            config.side());
      }
    }
  }

  static void checkGrants(MariaDbSourceConfig config, Connection c) throws SQLException, CaptureException {
    List<String> grants = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS")) {
      while (rs.next()) {
        grants.add(rs.getString(1).toUpperCase(Locale.ROOT));
      }
    }
    List<String> global = new ArrayList<>();
    for (String g : grants) {
      int on = g.indexOf(" ON *.* TO ");
      if (g.startsWith("GRANT ") && on > 0) {
        for (String privilege : g.substring("GRANT ".length(), on).split(",")) {
          global.add(privilege.strip());
        }
      }
    }
    boolean all = global.contains("ALL PRIVILEGES");
    boolean slave = all || global.contains("REPLICATION SLAVE");
    boolean client = all || global.contains("REPLICATION CLIENT") || global.contains("BINLOG MONITOR");
    if (!slave || !client) {
      String user = user(c);
      throw new CaptureException(config.name(), "the MariaDB user " + user + " lacks "
          + (!slave ? "REPLICATION SLAVE" + (!client ? " and " : "") : "") + (!client ? "REPLICATION CLIENT" : "")
          + ", which binlog capture needs: GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO " + user
          + " (and SELECT on the captured database); its grants: " + grants);
    }
  }

  private static String user(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      String[] parts = rs.getString(1).split("@", 2);
      return "'" + parts[0] + "'@'" + (parts.length > 1 ? parts[1] : "%") + "'";
    }
  }
}
