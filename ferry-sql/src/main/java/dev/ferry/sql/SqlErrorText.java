package dev.ferry.sql;

import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An SQL error as a user reads it in a log line or a stop message: its SQLSTATE (or code) and message. */
public final class SqlErrorText {
  /** PostgreSQL's context line for a bad value: {@code unnamed portal parameter $2 = '…'}. */
  private static final Pattern PARAMETER = Pattern.compile("(?:unnamed portal |portal \\S+ )?parameter \\$(\\d+)");

  private SqlErrorText() {
  }

  /** SQLSTATE (or SQLite code) and message of the first informative error in the chain. */
  public static String describe(SQLException error) {
    SQLException e = error;
    if (e.getNextException() != null) {
      e = e.getNextException();
    }
    String state = e.getSQLState() != null ? e.getSQLState() : "code " + e.getErrorCode();
    return "[" + state + "] " + e.getMessage();
  }

  /**
   * As {@link #describe(SQLException)}, with each {@code parameter $n} of the message replaced by
   * the column the statement's n-th parameter stands for ({@code parameters}, in order), so a
   * user reads {@code column balance = 'abc'}, not {@code parameter $2}. Only the text changes.
   */
  public static String describe(SQLException error, List<String> parameters) {
    String text = describe(error);
    if (parameters.isEmpty()) {
      return text;
    }
    Matcher m = PARAMETER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      String named = n >= 1 && n <= parameters.size() ? "column " + parameters.get(n - 1) : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(named));
    }
    return m.appendTail(out).toString();
  }
}
