package dev.ferry.apply.dialect.postgres;

import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
  private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

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
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
          ps.setString(1, name);
          ps.execute();
        }
        return name;
      } catch (SQLException e) {
        if (OBJECT_IN_USE.equals(e.getSQLState())) {
          continue; // another of this replica's sessions holds it
        }
        if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
          tellNotAllowed(replica, e);
          return "";
        }
        throw new SQLException(Side.replica(replica) + " cannot set replication origin " + name
            + " on the apply session: " + e.getMessage(), e.getSQLState(), e);
      }
    }
    throw new SQLException(Side.replica(replica) + " all " + MAX_SLOTS + " replication origins " + prefix
        + "0.." + (MAX_SLOTS - 1) + " are in use by other sessions; is another Ferry applying the same journal "
        + "to this database? (raise max_replication_slots if the origins ran out: it bounds them too)");
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
