package dev.ferry.capture.postgres;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command tag PostgreSQL gives a statement ({@code TG_TAG} in an event trigger), derived from
 * its leading words: {@code CREATE UNIQUE INDEX CONCURRENTLY} is {@code CREATE INDEX},
 * {@code CREATE OR REPLACE TEMP VIEW} is {@code CREATE VIEW}, {@code CREATE TABLE … AS} is
 * {@code CREATE TABLE AS}, a {@code SELECT … INTO} is {@code SELECT INTO}, {@code CREATE USER} is
 * {@code CREATE ROLE}. Statements that fire no event trigger get a tag that no event carries
 * (their first word, upper case), which is all the matching needs. Also classifies transaction
 * control, whose effect on what survives a query string {@link DdlStatementMatcher} replays.
 */
final class CommandTags {
  /** How a statement ends or rolls back work of the query string. */
  enum Control { NONE, BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK_TO, RELEASE }

  /** Words between CREATE and the object kind that do not change the tag. */
  private static final Set<String> CREATE_MODIFIERS = Set.of("or", "replace", "unique", "temp", "temporary",
      "local", "global", "unlogged", "constraint", "trusted", "procedural", "default", "recursive");
  /** Object kinds of two or three words, by their first word. */
  private static final Set<String> TWO_WORD_KINDS = Set.of("materialized view", "foreign table", "operator class",
      "operator family", "access method", "event trigger", "user mapping", "default privileges", "large object",
      "text search", "foreign data");

  private static final List<String> NEVER_FIRE = List.of(" DATABASE", " ROLE", " TABLESPACE", " EVENT TRIGGER");
  private static final Set<String> FIRING = Set.of("COMMENT", "GRANT", "REVOKE", "SECURITY LABEL",
      "IMPORT FOREIGN SCHEMA", "REFRESH MATERIALIZED VIEW", "SELECT INTO");

  private CommandTags() {
  }

  /** The statement's command tag, upper case, words separated by one space. */
  static String tag(SqlLexer.Statement statement) {
    List<SqlLexer.Word> w = statement.words();
    if (w.isEmpty() || w.getFirst().quoted()) {
      return "";
    }
    String first = w.getFirst().text();
    return switch (first) {
      case "create" -> "CREATE " + kind(w, skip(w, 1, CREATE_MODIFIERS)) + createSuffix(w);
      case "alter" -> "ALTER " + kind(w, 1);
      case "drop" -> "DROP " + kind(w, 1);
      case "security" -> "SECURITY LABEL";
      case "import" -> "IMPORT FOREIGN SCHEMA";
      case "refresh" -> "REFRESH MATERIALIZED VIEW";
      case "reassign" -> "REASSIGN OWNED";
      case "select" -> hasWord(w, 1, "into") ? "SELECT INTO" : "SELECT";
      case "with" -> withTag(w);
      default -> first.toUpperCase(Locale.ROOT);
    };
  }

  /** {@code CREATE TABLE … AS} (a depth-0 AS after the name) is tagged apart from a plain table. */
  private static String createSuffix(List<SqlLexer.Word> w) {
    int at = skip(w, 1, CREATE_MODIFIERS);
    if (at < w.size() && w.get(at).is("table") && hasWord(w, at + 1, "as")) {
      return " AS";
    }
    return "";
  }

  /** The object kind starting at word {@code at}, as the tag names it. */
  private static String kind(List<SqlLexer.Word> w, int at) {
    if (at >= w.size() || w.get(at).quoted()) {
      return "";
    }
    String one = w.get(at).text();
    String two = at + 1 < w.size() && !w.get(at + 1).quoted() ? one + " " + w.get(at + 1).text() : one;
    String kind;
    if (two.equals("text search") && at + 2 < w.size()) {
      kind = two + " " + w.get(at + 2).text();
    } else if (two.equals("foreign data")) {
      kind = "foreign data wrapper";
    } else if (TWO_WORD_KINDS.contains(two)) {
      kind = two;
    } else if (one.equals("user") || one.equals("group")) {
      kind = "role";
    } else {
      kind = one;
    }
    return kind.toUpperCase(Locale.ROOT);
  }

  private static String withTag(List<SqlLexer.Word> w) {
    for (int i = 1; i < w.size(); i++) {
      SqlLexer.Word word = w.get(i);
      if (word.is("select")) {
        return hasWord(w, i + 1, "into") ? "SELECT INTO" : "SELECT";
      }
      if (word.is("insert") || word.is("update") || word.is("delete") || word.is("merge")) {
        return word.text().toUpperCase(Locale.ROOT);
      }
    }
    return "WITH";
  }

  /**
   * Whether a statement with this tag fires {@code ddl_command_end} (PostgreSQL's event trigger
   * firing matrix): DDL on objects of a database, not on global ones (databases, roles,
   * tablespaces), not on event triggers themselves, not ALTER SYSTEM. A GRANT or REVOKE on a
   * global object also fires none, but its tag does not say so: it counts, and a query string
   * holding one and later DDL is not matched (its DDL is then journaled as not replayable).
   */
  static boolean firesEventTrigger(String tag) {
    if (NEVER_FIRE.stream().anyMatch(tag::endsWith) || tag.equals("ALTER SYSTEM") || tag.equals("REASSIGN OWNED")) {
      return false;
    }
    return tag.startsWith("CREATE ") || tag.startsWith("ALTER ") || tag.startsWith("DROP ")
        || FIRING.contains(tag);
  }

  /** What the statement does to the transaction (for the words of {@code statement}). */
  static Control control(SqlLexer.Statement statement) {
    List<SqlLexer.Word> w = statement.words();
    if (w.isEmpty() || w.getFirst().quoted()) {
      return Control.NONE;
    }
    boolean second = w.size() > 1;
    return switch (w.getFirst().text()) {
      case "begin" -> Control.BEGIN;
      case "start" -> second && w.get(1).is("transaction") ? Control.BEGIN : Control.NONE;
      case "commit", "end" -> second && w.get(1).is("prepared") ? Control.NONE : Control.COMMIT;
      case "prepare" -> second && w.get(1).is("transaction") ? Control.COMMIT : Control.NONE;
      case "rollback", "abort" -> rollback(w);
      case "savepoint" -> Control.SAVEPOINT;
      case "release" -> Control.RELEASE;
      default -> Control.NONE;
    };
  }

  private static Control rollback(List<SqlLexer.Word> w) {
    for (int i = 1; i < w.size(); i++) {
      if (w.get(i).is("prepared")) {
        return Control.NONE;
      }
      if (w.get(i).is("to")) {
        return Control.ROLLBACK_TO;
      }
    }
    return Control.ROLLBACK;
  }

  /** The savepoint a SAVEPOINT, RELEASE or ROLLBACK TO names: its last word. */
  static String savepoint(SqlLexer.Statement statement) {
    List<SqlLexer.Word> w = statement.words();
    return w.isEmpty() ? "" : w.getLast().text();
  }

  private static int skip(List<SqlLexer.Word> w, int from, Set<String> skipped) {
    int i = from;
    while (i < w.size() && !w.get(i).quoted() && skipped.contains(w.get(i).text())) {
      i++;
    }
    return i;
  }

  private static boolean hasWord(List<SqlLexer.Word> w, int from, String keyword) {
    for (int i = from; i < w.size(); i++) {
      if (w.get(i).is(keyword)) {
        return true;
      }
    }
    return false;
  }
}
