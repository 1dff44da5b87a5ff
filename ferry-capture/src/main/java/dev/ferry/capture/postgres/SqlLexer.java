package dev.ferry.capture.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a PostgreSQL query string (one simple-query message, as {@code current_query()} reports
 * it) into its statements, the way the server's grammar does: at semicolons outside single-quoted
 * strings ({@code ''} doubling, {@code E''} backslash escapes, and backslash escapes in plain
 * strings when {@code standard_conforming_strings} is off), double-quoted identifiers, dollar
 * quotes ({@code $$}, {@code $tag$}), line comments, nested block comments, parentheses, and
 * SQL-standard function bodies ({@code BEGIN ATOMIC … END}, with {@code CASE … END} inside).
 *
 * <p>Each statement keeps its source text (from its first token to before its semicolon) and its
 * words at parenthesis depth 0 (keywords folded to lower case, quoted identifiers as written),
 * which is what {@link CommandTags} needs. Stateless and thread-safe.
 */
final class SqlLexer {
  /** A word at parenthesis depth 0: an unquoted word folded to lower case, or a quoted identifier. */
  record Word(String text, boolean quoted) {
    boolean is(String keyword) {
      return !quoted && text.equals(keyword);
    }
  }

  /** One statement of the query string: its text and its depth-0 words, in order. */
  record Statement(String text, List<Word> words) {
    Statement {
      words = List.copyOf(words);
    }
  }

  private final String sql;
  private final boolean standardStrings;
  private final List<Statement> statements = new ArrayList<>();
  private int pos;
  private int start = -1;
  private int depth;
  private int beginDepth;
  private List<Word> words = new ArrayList<>();

  private SqlLexer(String sql, boolean standardStrings) {
    this.sql = sql;
    this.standardStrings = standardStrings;
  }

  /** The non-empty statements of {@code sql}, in order; a trailing unterminated one included. */
  static List<Statement> split(String sql, boolean standardConformingStrings) {
    SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
    lexer.run();
    return List.copyOf(lexer.statements);
  }

  private void run() {
    int n = sql.length();
    while (pos < n) {
      char c = sql.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '-' && peek(1) == '-') {
        skipLineComment();
      } else if (c == '/' && peek(1) == '*') {
        skipBlockComment();
      } else if (c == ';' && depth == 0 && beginDepth == 0) {
        endStatement(pos);
        pos++;
      } else {
        token(c);
      }
    }
    endStatement(n);
  }

  private void token(char c) {
    if (start < 0) {
      start = pos;
    }
    if (c == '\'') {
      // Plain strings take backslash escapes only when standard_conforming_strings is off.
      skipString(!standardStrings);
    } else if (c == '"') {
      words(new Word(quotedIdentifier(), true));
    } else if (c == '$' && !identifierChar(before(pos))) {
      skipDollarOrParameter();
    } else if (identifierStart(c)) {
      word();
    } else {
      if (c == '(' || c == '[') {
        depth++;
      } else if ((c == ')' || c == ']') && depth > 0) {
        depth--;
      }
      pos++;
    }
  }

  private void endStatement(int end) {
    if (start >= 0) {
      statements.add(new Statement(sql.substring(start, end).strip(), words));
    }
    start = -1;
    depth = 0;
    beginDepth = 0;
    words = new ArrayList<>();
  }

  private void words(Word w) {
    if (depth == 0) {
      words.add(w);
    }
  }

  private void word() {
    int from = pos;
    while (pos < sql.length() && identifierChar(sql.charAt(pos))) {
      pos++;
    }
    // A string prefix (E'', U&'', B'', X'', N'') is lexed with its string, not as a word.
    if (pos < sql.length() && (sql.charAt(pos) == '\'' || sql.charAt(pos) == '&')) {
      String prefix = sql.substring(from, pos).toLowerCase(Locale.ROOT);
      if (sql.charAt(pos) == '\'' && List.of("e", "b", "x", "n").contains(prefix)) {
        skipString(prefix.equals("e") || !standardStrings && prefix.equals("n"));
        return;
      }
      if (sql.charAt(pos) == '&' && prefix.equals("u") && (peek(1) == '\'' || peek(1) == '"')) {
        pos++;
        if (sql.charAt(pos) == '\'') {
          skipString(false);
        } else {
          words(new Word(quotedIdentifier(), true));
        }
        return;
      }
    }
    Word w = new Word(sql.substring(from, pos).toLowerCase(Locale.ROOT), false);
    trackAtomicBody(w);
    words(w);
  }

  /** {@code BEGIN ATOMIC … END} bodies hold semicolons; {@code CASE … END} nests inside them. */
  private void trackAtomicBody(Word w) {
    boolean first = words.isEmpty();
    if (w.is("begin") && !first && nextWordIs("atomic")) {
      beginDepth++;
    } else if (w.is("case") && beginDepth > 0) {
      beginDepth++;
    } else if (w.is("end") && beginDepth > 0) {
      beginDepth--;
    }
  }

  private boolean nextWordIs(String keyword) {
    int i = pos;
    while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
      i++;
    }
    int end = i;
    while (end < sql.length() && identifierChar(sql.charAt(end))) {
      end++;
    }
    return sql.substring(i, end).toLowerCase(Locale.ROOT).equals(keyword);
  }

  private void skipString(boolean backslashEscapes) {
    pos++; // opening quote
    while (pos < sql.length()) {
      char c = sql.charAt(pos);
      if (c == '\\' && backslashEscapes) {
        pos += 2;
      } else if (c == '\'') {
        if (peek(1) == '\'') {
          pos += 2;
        } else {
          pos++;
          return;
        }
      } else {
        pos++;
      }
    }
  }

  private String quotedIdentifier() {
    StringBuilder name = new StringBuilder();
    pos++; // opening quote
    while (pos < sql.length()) {
      char c = sql.charAt(pos);
      if (c == '"') {
        if (peek(1) == '"') {
          name.append('"');
          pos += 2;
          continue;
        }
        pos++;
        break;
      }
      name.append(c);
      pos++;
    }
    return name.toString();
  }

  /** A dollar quote {@code $tag$…$tag$}; else a parameter ({@code $1}) or a lone dollar. */
  private void skipDollarOrParameter() {
    int i = pos + 1;
    if (i < sql.length() && identifierStart(sql.charAt(i))) {
      while (i < sql.length() && identifierChar(sql.charAt(i)) && sql.charAt(i) != '$') {
        i++;
      }
    }
    if (i >= sql.length() || sql.charAt(i) != '$') {
      pos++;
      while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
        pos++;
      }
      return;
    }
    String delimiter = sql.substring(pos, i + 1);
    int close = sql.indexOf(delimiter, i + 1);
    pos = close < 0 ? sql.length() : close + delimiter.length();
  }

  private void skipLineComment() {
    while (pos < sql.length() && sql.charAt(pos) != '\n') {
      pos++;
    }
  }

  private void skipBlockComment() {
    int nesting = 0;
    while (pos < sql.length()) {
      if (sql.charAt(pos) == '/' && peek(1) == '*') {
        nesting++;
        pos += 2;
      } else if (sql.charAt(pos) == '*' && peek(1) == '/') {
        nesting--;
        pos += 2;
        if (nesting == 0) {
          return;
        }
      } else {
        pos++;
      }
    }
  }

  private char peek(int ahead) {
    int i = pos + ahead;
    return i < sql.length() ? sql.charAt(i) : '\0';
  }

  private char before(int i) {
    return i > 0 ? sql.charAt(i - 1) : '\0';
  }

  private static boolean identifierStart(char c) {
    return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80;
  }

  private static boolean identifierChar(char c) {
    return identifierStart(c) || c >= '0' && c <= '9' || c == '$';
  }
}
