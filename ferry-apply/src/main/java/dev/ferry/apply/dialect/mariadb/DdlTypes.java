package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.UnmappableDdlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a PostgreSQL or SQLite source's column type from its DDL and maps it by {@link MariaDbTypes},
 * the one table for the seed and DDL (docs/apply.md, "DDL into a MariaDB target"); a type outside it
 * is refused, naming table and column. Also reads a column's default. Stateless.
 */
final class DdlTypes {
  /** Words that end a type and begin a column's constraints. */
  private static final Set<String> CONSTRAINTS = Set.of("NOT", "NULL", "PRIMARY", "UNIQUE", "DEFAULT", "CONSTRAINT",
      "REFERENCES", "CHECK", "COLLATE", "GENERATED", "AUTOINCREMENT");

  private DdlTypes() {
  }

  /** Reads a column's type at the cursor and maps it. */
  static MariaDbTypes.Mapped read(DdlTokens t, boolean sqlite, String table, String column)
      throws UnmappableDdlException {
    return MariaDbTypes.forDdl(sqlite, type(t, table, column), table, column);
  }

  /** A column's type at the cursor: its words in lower case, its numeric arguments, {@code []} for an array. */
  static MariaDbTypes.SourceType type(DdlTokens t, String table, String column) throws UnmappableDdlException {
    List<String> words = new ArrayList<>();
    List<Integer> args = new ArrayList<>();
    while (!t.done()) {
      DdlTokens.Token next = t.peek();
      if (next.kind() == DdlTokens.Kind.WORD && !CONSTRAINTS.contains(next.text().toUpperCase(Locale.ROOT))) {
        words.add(t.next().text().toLowerCase(Locale.ROOT));
      } else if (next.isSymbol('(') && !words.isEmpty()) {
        t.next();
        do {
          DdlTokens.Token n = t.next();
          if (n.kind() != DdlTokens.Kind.NUMBER) {
            throw new UnmappableDdlException(table, "the type arguments of column " + column + " are not numbers");
          }
          args.add(Integer.parseInt(n.text()));
        } while (t.acceptSymbol(','));
        if (!t.acceptSymbol(')')) {
          throw new UnmappableDdlException(table, "the type of column " + column + " is not mapped");
        }
      } else if (next.kind() == DdlTokens.Kind.QUOTED && !words.isEmpty() && t.sql().charAt(next.start()) == '[') {
        t.next(); // PostgreSQL's array brackets, [] or [n], read as a bracket-quoted name
        words.add("[]");
      } else {
        break;
      }
    }
    return new MariaDbTypes.SourceType(String.join(" ", words).replace(" []", "[]"), args);
  }

  /** A column's default: a string, a number, {@code TRUE}/{@code FALSE}, {@code NULL} or the current time. */
  static String defaultValue(DdlTokens t, String table, String column) throws UnmappableDdlException {
    boolean parenthesised = t.acceptSymbol('(');
    DdlTokens.Token v = t.next();
    String value;
    if (v.kind() == DdlTokens.Kind.STRING || v.kind() == DdlTokens.Kind.NUMBER) {
      value = v.text();
    } else if (v.is("TRUE") || v.is("FALSE")) {
      value = v.is("TRUE") ? "1" : "0";
    } else if (v.is("NULL")) {
      value = "NULL";
    } else if (v.is("CURRENT_TIMESTAMP") || v.is("now") && t.acceptSymbol('(') && t.acceptSymbol(')')) {
      value = "CURRENT_TIMESTAMP(6)";
    } else {
      throw new UnmappableDdlException(table, "the default of column " + column + " ('" + v.text()
          + "…') is not mapped: only literals and the current time are");
    }
    if (t.peek().isSymbol(':')) {
      throw new UnmappableDdlException(table, "the default of column " + column + " has a cast, which is not mapped");
    }
    if (parenthesised && !t.acceptSymbol(')')) {
      throw new UnmappableDdlException(table, "the default of column " + column + " is not mapped");
    }
    return value;
  }
}
