package dev.ferry.capture.postgres;

import java.sql.SQLException;

/**
 * The one place where capture classifies PostgreSQL errors by SQLSTATE (HikariCP's
 * {@code checkException} habit): a lost connection is retried with backoff; everything else stops
 * capture with a message that says what to do.
 */
final class SqlStates {
  /** What capture does about an error. */
  enum Kind {
    /** The connection broke or the server is restarting: reconnect with backoff and resume. */
    CONNECTION_LOST,
    /** The slot is streaming to another process (55006): may be our own old walsender going away. */
    SLOT_IN_USE,
    /** An object is missing (42704): slot or publication dropped. */
    UNDEFINED_OBJECT,
    /** Permission denied (42501). */
    NO_PRIVILEGE,
    /** Anything else: stop, loudly. */
    FATAL
  }

  private SqlStates() {
  }

  static Kind classify(SQLException e) {
    String state = sqlState(e);
    if (state == null) {
      // pgjdbc raises I/O failures of the replication stream without a state.
      return e.getCause() instanceof java.io.IOException ? Kind.CONNECTION_LOST : Kind.FATAL;
    }
    if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
      return Kind.CONNECTION_LOST;
    }
    return switch (state) {
      case "55006" -> Kind.SLOT_IN_USE;
      case "42704" -> Kind.UNDEFINED_OBJECT;
      case "42501" -> Kind.NO_PRIVILEGE;
      default -> Kind.FATAL;
    };
  }

  private static String sqlState(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return null;
  }
}
