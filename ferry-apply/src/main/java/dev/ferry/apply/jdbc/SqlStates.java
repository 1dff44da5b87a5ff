package dev.ferry.apply.jdbc;

import java.sql.SQLException;

/**
 * The one place where SQL errors are classified (PostgreSQL SQLSTATEs, SQLite result codes).
 * Everything not named here is fatal.
 */
final class SqlStates {
  /** How the applier reacts to an error. */
  enum Kind {
    /** Serialization failure, deadlock, a busy SQLite file: roll back and retry the group. */
    RETRYABLE,
    /** The connection is gone or the server is shutting down: reconnect, then retry the group. */
    CONNECTION_LOST,
    /** An integrity constraint (23xxx): a conflict the fast path could not report row by row. */
    CONSTRAINT,
    /** Anything else: stop the replica. */
    FATAL
  }

  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;

  private SqlStates() {
  }

  static Kind classify(SQLException error) {
    for (Throwable t = error; t != null; t = next(t)) {
      if (t instanceof SQLException e) {
        Kind kind = classifyOne(e);
        if (kind != Kind.FATAL) {
          return kind;
        }
      }
    }
    return Kind.FATAL;
  }

  private static Throwable next(Throwable t) {
    if (t instanceof SQLException e && e.getNextException() != null && e.getNextException() != t) {
      return e.getNextException();
    }
    return t.getCause() == t ? null : t.getCause();
  }

  private static Kind classifyOne(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      // xerial sqlite-jdbc reports SQLite result codes in getErrorCode() and leaves SQLSTATE empty.
      boolean sqlite = e.getClass().getName().startsWith("org.sqlite.");
      int code = e.getErrorCode() & 0xff;
      return sqlite && (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? Kind.RETRYABLE : Kind.FATAL;
    }
    if (state.equals("40001") || state.equals("40P01") || state.equals("55P03")) {
      return Kind.RETRYABLE;
    }
    if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
      return Kind.CONNECTION_LOST;
    }
    if (state.startsWith("23")) {
      return Kind.CONSTRAINT;
    }
    return Kind.FATAL;
  }

  /** PostgreSQL's context line for a bad value: {@code unnamed portal parameter $2 = '…'}. */
  private static final java.util.regex.Pattern PARAMETER =
      java.util.regex.Pattern.compile("(?:unnamed portal |portal \\S+ )?parameter \\$(\\d+)");

  /**
   * As {@link #describe(SQLException)}, with each {@code parameter $n} of the message replaced by
   * the column the statement's n-th parameter stands for ({@code parameters}, in order), so a
   * user reads {@code column balance = 'abc'}, not {@code parameter $2}.
   */
  static String describe(SQLException error, java.util.List<String> parameters) {
    String text = describe(error);
    if (parameters.isEmpty()) {
      return text;
    }
    java.util.regex.Matcher m = PARAMETER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      String named = n >= 1 && n <= parameters.size() ? "column " + parameters.get(n - 1) : m.group();
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(named));
    }
    return m.appendTail(out).toString();
  }

  /** SQLSTATE (or SQLite code) and message of the first informative error in the chain. */
  static String describe(SQLException error) {
    SQLException e = error;
    if (e.getNextException() != null) {
      e = e.getNextException();
    }
    String state = e.getSQLState() != null ? e.getSQLState() : "code " + e.getErrorCode();
    return "[" + state + "] " + e.getMessage();
  }
}
