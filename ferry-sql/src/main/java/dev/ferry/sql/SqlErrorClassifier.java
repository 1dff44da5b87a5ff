package dev.ferry.sql;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * One database's reading of its errors: {@link PostgresErrors} or {@link SqliteErrors}, shared by
 * capture and apply so both agree on what a lost connection is. Looks through the whole chain of an
 * error (a batch's next exceptions, causes): the first error in it that is not {@link
 * SqlErrorKind#FATAL} decides. JDBC's typed connection exceptions ({@link
 * SQLNonTransientConnectionException}, {@link SQLTransientConnectionException}: SQLSTATE class 08
 * by the JDBC specification) are a lost connection for every database, so Ferry's own code says
 * "the connection is gone" by type, never by an invented SQLSTATE. Stateless and thread-safe.
 */
public interface SqlErrorClassifier {
  /** The kind of {@code error}, from the first informative error in its chain. */
  default SqlErrorKind classify(SQLException error) {
    for (Throwable t = error; t != null; t = next(t)) {
      if (t instanceof SQLException e) {
        SqlErrorKind kind = isConnectionException(e) ? SqlErrorKind.CONNECTION_LOST : classifyOne(e);
        if (kind != SqlErrorKind.FATAL) {
          return kind;
        }
      }
    }
    return SqlErrorKind.FATAL;
  }

  /** The kind of this one error alone, without looking at its chain. */
  SqlErrorKind classifyOne(SQLException error);

  private static boolean isConnectionException(SQLException e) {
    return e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException;
  }

  private static Throwable next(Throwable t) {
    if (t instanceof SQLException e && e.getNextException() != null && e.getNextException() != t) {
      return e.getNextException();
    }
    return t.getCause() == t ? null : t.getCause();
  }
}
