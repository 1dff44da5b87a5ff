package dev.ferry.capture.postgres;

import dev.ferry.journal.model.Change;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a {@code ferry.ddl} message (see {@link FerrySchema} for its fields) into the
 * {@link Change.Ddl} of the one statement that fired it. A top-level DDL is found among the
 * statements of its query string by {@link DdlStatementMatcher}; a query string of one statement
 * is that statement. A DDL that ran inside a function, {@code DO} block or procedure, or that the
 * matching cannot place, is journaled as not replayable, with the statement PostgreSQL reports
 * in its context and the client statement it ran inside — never as the caller's text.
 *
 * <p>Not thread-safe (it keeps the last query string's statements, since a query string with many
 * DDL statements sends the same text with each).
 */
final class DdlMessage {
  private static final String SQL_STATEMENT = "SQL statement \"";

  private String lastQuery = "";
  private boolean lastStandardStrings;
  private List<SqlLexer.Statement> lastStatements = List.of();

  /** The DDL the message carries; throws IllegalArgumentException when it is malformed. */
  Change.Ddl parse(byte[] content) {
    String[] f = new String(content, StandardCharsets.UTF_8).split("\0", -1);
    if (f.length != 3 && f.length != 6) {
      throw new IllegalArgumentException(f.length + " fields, expected 6 (or 3 from an older Ferry)");
    }
    long sequence;
    try {
      sequence = Long.parseLong(f[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("schema sequence '" + f[0] + "' is not a number", e);
    }
    String searchPath = f[1];
    String query = f[2];
    if (f.length == 3) {
      return new Change.Ddl(query, searchPath, sequence);
    }
    String context = f[5];
    if (!context.isEmpty()) {
      return new Change.Ddl(reportedStatement(context), searchPath, sequence, Optional.of(query.strip()));
    }
    List<SqlLexer.Statement> statements = statements(query, f[4].equals("on"));
    List<String> tags = f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
    OptionalInt at = DdlStatementMatcher.match(statements, tags);
    if (at.isPresent()) {
      return new Change.Ddl(statements.get(at.getAsInt()).text(), searchPath, sequence);
    }
    if (statements.size() == 1) {
      return new Change.Ddl(statements.getFirst().text(), searchPath, sequence);
    }
    String tag = tags.isEmpty() ? "DDL" : tags.getLast();
    return new Change.Ddl(tag + " (top-level DDL event " + tags.size() + " of its query string; which statement fired it "
        + "cannot be told, e.g. after a ROLLBACK in the same string)",
        searchPath, sequence, Optional.of(query.strip()));
  }

  private List<SqlLexer.Statement> statements(String query, boolean standardStrings) {
    if (!query.equals(lastQuery) || standardStrings != lastStandardStrings) {
      lastStatements = SqlLexer.split(query, standardStrings);
      lastQuery = query;
      lastStandardStrings = standardStrings;
    }
    return lastStatements;
  }

  /**
   * The innermost statement of a PL/pgSQL context ({@code SQL statement "…"} followed by the line
   * of the function that ran it), else the whole context (an SQL-language function reports no
   * text; a server with translated messages words it differently).
   */
  static String reportedStatement(String context) {
    String c = context.strip();
    if (c.startsWith(SQL_STATEMENT)) {
      int end = c.indexOf("\"\nPL/pgSQL function ");
      if (end < 0 && c.indexOf('\n') < 0 && c.endsWith("\"")) {
        end = c.length() - 1;
      }
      if (end > SQL_STATEMENT.length()) {
        return c.substring(SQL_STATEMENT.length(), end).strip();
      }
    }
    return c;
  }
}
