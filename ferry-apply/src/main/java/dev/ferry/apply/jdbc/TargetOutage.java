package dev.ferry.apply.jdbc;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

/**
 * Tells an outage of a target (connection refused or lost, the server shutting down or starting
 * up, a busy file) from an error that needs a person (a conflict, a schema mismatch, corruption).
 * SQL errors are classified by {@link SqlStates}, the one place that reads SQLSTATEs (08xxx, 57P0x,
 * serialization failures, a busy SQLite file); this adds the socket exceptions a driver may wrap
 * (connection refused, reset, timed out). Stateless and thread-safe.
 */
public final class TargetOutage {
  private TargetOutage() {
  }

  /**
   * Whether {@code error} (or an error in its cause chain) is transient: retrying later, after a
   * reconnect, may succeed without anyone changing anything.
   */
  public static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException e) {
        SqlStates.Kind kind = SqlStates.classify(e);
        if (kind == SqlStates.Kind.CONNECTION_LOST || kind == SqlStates.Kind.RETRYABLE) {
          return true;
        }
      }
      if (t instanceof SocketException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
