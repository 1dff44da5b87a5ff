package dev.ferry.apply.jdbc;

import dev.ferry.apply.RetriesExhaustedException;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.sql.SqlErrorClassifier;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.List;

/**
 * Tells an outage of a target (connection refused or lost, the server shutting down or starting
 * up, a busy file) from an error that needs a person (a conflict, a schema mismatch, corruption,
 * a transaction that met a deadlock or serialization failure at every attempt: {@link
 * RetriesExhaustedException}).
 * SQL errors are classified by every target dialect's {@link SqlErrorClassifier} (the error
 * may come before the target's kind is known, so each reads it); this adds the
 * socket exceptions a driver may wrap (connection refused, reset, timed out). Stateless and
 * thread-safe.
 */
public final class TargetOutage {
  private static final List<SqlErrorClassifier> TARGETS = Dialect.all().stream().map(Dialect::errors).toList();

  private TargetOutage() {
  }

  /**
   * Whether {@code error} (or an error in its cause chain) is transient: retrying later, after a
   * reconnect, may succeed without anyone changing anything.
   */
  public static boolean isTransient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriesExhaustedException) {
        return false; // the target answered every attempt: a transaction that keeps losing, no outage
      }
      if (t instanceof SQLException e && TARGETS.stream().anyMatch(c -> c.classify(e).isTransient())) {
        return true;
      }
      if (t instanceof SocketException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
