package dev.ferry.sql;

import java.sql.SQLException;

/**
 * One database's reading of its errors: {@link PostgresErrors} or {@link SqliteErrors}, shared by
 * capture and apply so both agree on what a lost connection is. Looks through the whole chain of an
 * error (a batch's next exceptions, causes): the first error in it that is not {@link
 * SqlErrorKind#FATAL} decides. Stateless and thread-safe.
 */
public interface SqlErrorClassifier {
  /** The kind of {@code error}, from the first informative error in its chain. */
  default SqlErrorKind classify(SQLException error) {
    for (Throwable t = error; t != null; t = next(t)) {
      if (t instanceof SQLException e) {
        SqlErrorKind kind = classifyOne(e);
        if (kind != SqlErrorKind.FATAL) {
          return kind;
        }
      }
    }
    return SqlErrorKind.FATAL;
  }

  /** The kind of this one error alone, without looking at its chain. */
  SqlErrorKind classifyOne(SQLException error);

  private static Throwable next(Throwable t) {
    if (t instanceof SQLException e && e.getNextException() != null && e.getNextException() != t) {
      return e.getNextException();
    }
    return t.getCause() == t ? null : t.getCause();
  }
}
