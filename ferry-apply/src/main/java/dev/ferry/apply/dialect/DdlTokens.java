package dev.ferry.apply.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A DDL statement cut into tokens (for the MariaDB dialect's DDL mapping and {@link DdlTables}): words, quoted identifiers ({@code "x"},
 * {@code `x`}, {@code [x]}), string literals, numbers and single symbols, each with its place in
 * the text, comments and white space dropped. A cursor walks them. Not thread safe.
 */
public final class DdlTokens {
  public enum Kind { WORD, QUOTED, STRING, NUMBER, SYMBOL }

  /** One token: {@code text} is a quoted identifier's name without quotes, else the source text. */
  public record Token(Kind kind, String text, int start, int end) {
    public boolean is(String word) {
      return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    public boolean isSymbol(char c) {
      return kind == Kind.SYMBOL && text.charAt(0) == c;
    }

    public boolean identifier() {
      return kind == Kind.WORD || kind == Kind.QUOTED;
    }
  }

  private final String sql;
  private final List<Token> tokens;
  private int at;

  public DdlTokens(String sql) {
    this.sql = sql;
    this.tokens = lex(sql);
    while (!tokens.isEmpty() && tokens.getLast().isSymbol(';')) {
      tokens.removeLast();
    }
  }

  public String sql() {
    return sql;
  }

  public boolean done() {
    return at >= tokens.size();
  }

  /** The token {@code ahead} places on, or an empty symbol past the end. */
  public Token peek(int ahead) {
    int i = at + ahead;
    return i < tokens.size() ? tokens.get(i) : new Token(Kind.SYMBOL, " ", sql.length(), sql.length());
  }

  public Token peek() {
    return peek(0);
  }

  public Token next() {
    Token t = peek();
    at++;
    return t;
  }

  /** Takes the words if they come next, all of them. */
  public boolean accept(String... words) {
    for (int i = 0; i < words.length; i++) {
      if (!peek(i).is(words[i])) {
        return false;
      }
    }
    at += words.length;
    return true;
  }

  public boolean acceptSymbol(char c) {
    if (peek().isSymbol(c)) {
      at++;
      return true;
    }
    return false;
  }

  public int position() {
    return at;
  }

  public void reset(int position) {
    at = position;
  }

  /** The source text from the current token to the end. */
  public String rest() {
    return done() ? "" : sql.substring(peek().start());
  }

  /** The source text from token {@code from} up to (not including) the current one. */
  public String textSince(int from) {
    if (from >= at) {
      return "";
    }
    return sql.substring(tokens.get(from).start(), tokens.get(at - 1).end());
  }

  /** Skips a balanced run of parentheses starting at the current {@code (}. */
  public void skipParenthesised() {
    int depth = 0;
    do {
      Token t = next();
      if (t.isSymbol('(')) {
        depth++;
      } else if (t.isSymbol(')')) {
        depth--;
      }
    } while (depth > 0 && !done());
  }

  /** An unquoted word as the source database folds it ({@code lower}: PostgreSQL), a quoted one as it is. */
  public static String name(Token t, boolean lower) {
    return t.kind() == Kind.WORD && lower ? t.text().toLowerCase(Locale.ROOT) : t.text();
  }

  private static List<Token> lex(String sql) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        int end = closing(sql, i, close);
        out.add(new Token(Kind.QUOTED, sql.substring(i + 1, end - 1).replace("" + close + close, "" + close), i, end));
        i = end;
      } else if (c == '\'') {
        int end = closing(sql, i, '\'');
        out.add(new Token(Kind.STRING, sql.substring(i, end), i, end));
        i = end;
      } else if (Character.isLetter(c) || c == '_' || c == '$') {
        int s = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
          i++;
        }
        out.add(new Token(Kind.WORD, sql.substring(s, i), s, i));
      } else if (Character.isDigit(c) || (c == '-' || c == '+' || c == '.') && i + 1 < n
          && Character.isDigit(sql.charAt(i + 1))) {
        int s = i++;
        while (i < n && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == 'e'
            || sql.charAt(i) == 'E')) {
          i++;
        }
        out.add(new Token(Kind.NUMBER, sql.substring(s, i), s, i));
      } else {
        out.add(new Token(Kind.SYMBOL, String.valueOf(c), i, i + 1));
        i++;
      }
    }
    return out;
  }

  /** The index after the quote closing the one at {@code open} (a doubled quote stays inside). */
  private static int closing(String sql, int open, char close) {
    int i = open + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == close) {
        if (close != ']' && i + 1 < sql.length() && sql.charAt(i + 1) == close) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (close == '\'' && sql.charAt(i) == '\\') {
        i++;
      }
      i++;
    }
    return sql.length();
  }
}
