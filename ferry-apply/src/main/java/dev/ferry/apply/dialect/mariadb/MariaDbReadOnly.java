package dev.ferry.apply.dialect.mariadb;

import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Read-only mode on a MariaDB replica, as a MariaDB replica server is made read-only: the server's
 * global {@code read_only}, under which only users with the {@code READ_ONLY ADMIN} privilege
 * write (MariaDB 10.11: {@code SUPER} no longer does), Ferry's user among them. Ferry records the
 * value it found in {@code ferry_read_only} (before setting it, so that a crash in between leaves
 * the record) and puts it back when the replica is configured read-write again, torn down or
 * promoted. Error 1227 (the privilege is missing for {@code SET GLOBAL}) and 1290 (a write refused
 * under {@code read_only}) become one error naming the user, the privilege and the grant. Stateless.
 */
final class MariaDbReadOnly {
  /** The base name of the table holding the {@code read_only} value Ferry found. */
  static final String RECORD = "read_only";
  private static final int ACCESS_DENIED = 1227;
  private static final int READ_ONLY_REFUSED = 1290;

  private MariaDbReadOnly() {
  }

  /** Sets the global {@code read_only}, first recording the value it had (autocommit). */
  static void enable(Connection c, String replica) throws SQLException {
    boolean recorded = false;
    try {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS " + table() + " (id INT NOT NULL PRIMARY KEY,"
            + " previous_read_only INT NOT NULL) ENGINE=InnoDB");
      }
      // A record already there stays: it holds what the server had before Ferry (parallel workers open at once).
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table() + " VALUES (1, ?)"
          + " ON DUPLICATE KEY UPDATE id = id")) {
        ps.setInt(1, globalReadOnly(c) ? 1 : 0);
        recorded = ps.executeUpdate() == 1;
      }
      setGlobal(c, true);
    } catch (SQLException e) {
      if (e.getErrorCode() != ACCESS_DENIED && e.getErrorCode() != READ_ONLY_REFUSED) {
        throw e;
      }
      if (recorded) {
        forget(c); // read_only is still as it was: nothing to put back
      }
      throw new SQLInvalidAuthorizationSpecException(prefix(replica) + "mode: read-only sets MariaDB's global"
          + " read_only, under which only users with the READ_ONLY ADMIN privilege write, and Ferry's user "
          + currentUser(c) + " has not got it (MariaDB: " + e.getMessage() + "); GRANT READ_ONLY ADMIN ON *.* TO "
          + currentUser(c) + ", or set mode: read-write (see docs/apply.md, 'Read-only MariaDB replicas')",
          "28000", e.getErrorCode(), e);
    }
  }

  /**
   * Puts {@code read_only} back as Ferry found it, if Ferry set it, and forgets the record (in the
   * caller's transaction, which is committed first if open: MariaDB refuses {@code SET GLOBAL
   * read_only} inside a transaction; a record left by a rollback only sets the same value again).
   */
  static void lift(Connection c, String replica) throws SQLException {
    if (!MariaDbControlTables.INSTANCE.exists(c, RECORD)) {
      return;
    }
    Optional<Boolean> previous = previous(c);
    if (previous.isEmpty()) {
      return;
    }
    if (!c.getAutoCommit()) {
      c.commit();
    }
    try {
      setGlobal(c, previous.get());
    } catch (SQLException e) {
      if (e.getErrorCode() != ACCESS_DENIED) {
        throw e;
      }
      throw new SQLInvalidAuthorizationSpecException(prefix(replica) + "this replica was read-only, and"
          + " putting MariaDB's global read_only back to " + (previous.get() ? "ON" : "OFF") + " needs the READ_ONLY"
          + " ADMIN privilege, which Ferry's user " + currentUser(c) + " has not got (MariaDB: " + e.getMessage()
          + "); GRANT READ_ONLY ADMIN ON *.* TO " + currentUser(c) + ", or run SET GLOBAL read_only = "
          + (previous.get() ? "ON" : "OFF") + " and DELETE FROM " + table() + " by hand", "28000", e.getErrorCode(), e);
    }
    forget(c);
  }

  private static Optional<Boolean> previous(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT previous_read_only FROM " + table() + " WHERE id = 1")) {
      return rs.next() ? Optional.of(rs.getInt(1) == 1) : Optional.empty();
    }
  }

  private static void forget(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM " + table());
    }
  }

  private static boolean globalReadOnly(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@GLOBAL.read_only")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }

  private static void setGlobal(Connection c, boolean on) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET GLOBAL read_only = " + (on ? "ON" : "OFF"));
    }
  }

  private static String currentUser(Connection c) {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      String[] parts = rs.getString(1).split("@", 2);
      return "'" + parts[0] + "'@'" + (parts.length > 1 ? parts[1] : "%") + "'";
    } catch (SQLException e) {
      return "(unknown: " + e.getMessage() + ")";
    }
  }

  private static String prefix(String replica) {
    return replica.isEmpty() ? "" : Side.replica(replica) + " ";
  }

  private static String table() {
    return MariaDbControlTables.INSTANCE.table(RECORD);
  }
}
