package dev.ferry.apply.dialect.postgres;

import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * Marks an apply session with a replication origin, so that every transaction it commits carries
 * it in the WAL: when this database is later a capturing source, pgoutput sends an Origin message
 * in those transactions and Ferry's capture skips them (no replication loop, docs/failover.md#loops).
 *
 * <p>A PostgreSQL origin can be active in one session at a time, so a replica applying through
 * several connections (parallel apply, a copy beside streaming) takes the first free one of
 * {@code ferry_<source>_0}, {@code _1}, …, creating it when missing. A role that may not use origins
 * (PostgreSQL 15: superuser only unless granted EXECUTE on the functions) is told once per replica
 * and applies unmarked. Stateless apart from that once-only note; thread-safe.
 */
final class PostgresOrigin {
  private static final Logger log = LoggerFactory.getLogger(PostgresOrigin.class);
  /** More than any number of connections one replica opens at once. */
  private static final int MAX_SLOTS = 64;
  private static final String OBJECT_IN_USE = "55006";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String INSUFFICIENT_PRIVILEGE = "42501";
  /** No replication origin state slot free (there are max_replication_slots of them). */
  private static final String NO_FREE_STATE = "53400";
  private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();
  private static final Set<String> TOLD_BORROWED = ConcurrentHashMap.newKeySet();

  private PostgresOrigin() {
  }

  /** The origin names of a replica of {@code source} start with this. */
  static String prefix(String source) {
    return "ferry_" + source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_";
  }

  /** Sets a free origin of {@code source} on {@code c} (autocommit); returns its name, or "" when not allowed. */
  static String mark(Connection c, String source, String replica) throws SQLException {
    String prefix = prefix(source);
    for (int k = 0; k < MAX_SLOTS; k++) {
      String name = prefix + k;
      try {
        create(c, name);
        setUp(c, name);
        return name;
      } catch (SQLException e) {
        if (OBJECT_IN_USE.equals(e.getSQLState())) {
          continue; // another of this replica's sessions holds it
        }
        if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
          tellNotAllowed(replica, e);
          return "";
        }
        if (NO_FREE_STATE.equals(e.getSQLState())) {
          return borrow(c, replica, e);
        }
        throw new SQLException(Side.replica(replica) + " cannot set replication origin " + name
            + " on the apply session: " + e.getMessage(), e.getSQLState(), e);
      }
    }
    throw new SQLException(Side.replica(replica) + " all " + MAX_SLOTS + " replication origins " + prefix
        + "0.." + (MAX_SLOTS - 1) + " are in use by other sessions; is another Ferry applying the same journal "
        + "to this database? (raise max_replication_slots if the origins ran out: it bounds them too)");
  }

  private static void setUp(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
      ps.setString(1, name);
      ps.execute();
    }
  }

  /**
   * PostgreSQL keeps a state slot for every origin ever set up in a session, until the origin is
   * dropped, and has {@code max_replication_slots} of them: the origins of journals this cluster
   * was a replica of before (a {@code reinit}, another primary, another replica database) can hold
   * them all. Any idle one of Ferry's marks the session as well as one of its own — capture skips
   * a transaction with any origin — so the session takes the first it can. Ferry drops none: a
   * capture of this database may still have to read the WAL they marked.
   */
  private static String borrow(Connection c, String replica, SQLException full) throws SQLException {
    List<String> held = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT o.roname FROM pg_replication_origin o"
        + " JOIN pg_replication_origin_status s ON s.local_id = o.roident WHERE o.roname LIKE 'ferry\\_%' ORDER BY 1")) {
      while (rs.next()) {
        held.add(rs.getString(1));
      }
    }
    for (String name : held) {
      try {
        setUp(c, name);
        if (TOLD_BORROWED.add(replica)) {
          log.info("{} every replication origin state (max_replication_slots of them) is held by origins used"
              + " before, {} among them: the apply sessions take idle ones of those (this one: {}), which mark what"
              + " Ferry applies all the same. Drop origins no capture of this database still needs, or raise"
              + " max_replication_slots, to give them their own (docs/failover.md#loops)", Side.replica(replica),
              held.size(), name);
        }
        return name;
      } catch (SQLException e) {
        if (!OBJECT_IN_USE.equals(e.getSQLState())) {
          throw e;
        }
      }
    }
    throw new SQLException(Side.replica(replica) + " cannot set a replication origin on the apply session: every"
        + " origin state (max_replication_slots) is in use and none of Ferry's " + held.size() + " origins with one"
        + " is idle (" + full.getMessage() + "). Raise max_replication_slots, or drop replication origins no one"
        + " uses any more (docs/failover.md#loops)", full.getSQLState(), full);
  }

  private static void create(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_create(?) WHERE NOT EXISTS "
        + "(SELECT 1 FROM pg_replication_origin WHERE roname = ?)")) {
      ps.setString(1, name);
      ps.setString(2, name);
      ps.execute();
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e; // a session beside this one created it first otherwise
      }
    }
  }

  private static void tellNotAllowed(String replica, SQLException e) {
    if (TOLD.add(replica)) {
      log.warn("{} may not mark its apply sessions with a replication origin ({}): if this database is ever "
          + "captured by Ferry, what Ferry applied here would be captured again (a replication loop). Connect "
          + "as a superuser, or GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), "
          + "pg_replication_origin_session_setup(text) TO the replica's role (docs/failover.md#loops)",
          Side.replica(replica), e.getMessage());
    }
  }
}
