package dev.ferry.apply.dialect;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tables a captured DDL statement is about, when its text says so plainly, so that a
 * replica's {@code tables} filter can leave out the DDL of tables it leaves out: {@code CREATE
 * TABLE}, {@code ALTER TABLE}, {@code DROP TABLE} (every table listed), {@code CREATE INDEX … ON},
 * MariaDB's {@code RENAME TABLE} (every table renamed), {@code COMMENT ON TABLE|COLUMN}. An
 * unqualified name is in the DDL's default schema (the first of PostgreSQL's {@code search_path},
 * SQLite's {@code main}, MariaDB's current database); PostgreSQL folds unquoted names to lower
 * case, SQLite and MariaDB keep them. Anything else — {@code DROP INDEX}, functions, types, two
 * statements, text Ferry cannot read — is empty: not attributed to a table, applied as before.
 * Stateless.
 */
public final class DdlTables {
  private DdlTables() {
  }

  /** The tables {@code ddl} creates, alters, drops, renames, indexes or comments on; empty when it cannot tell. */
  public static Optional<List<TableId>> named(Change.Ddl ddl, SourcePosition.Kind source) {
    try {
      return Optional.ofNullable(new Reader(ddl, source).tables()).filter(t -> !t.isEmpty());
    } catch (RuntimeException e) { // text the lexer cannot read (an unclosed quote, …): not attributed
      return Optional.empty();
    }
  }

  private static final class Reader {
    private final DdlTokens t;
    private final boolean lower;
    private final String schema;

    Reader(Change.Ddl ddl, SourcePosition.Kind source) {
      this.t = new DdlTokens(ddl.command());
      this.lower = source == SourcePosition.Kind.PG_LSN;
      this.schema = firstSchema(ddl.searchPath()); // SQLite's capture writes "main", MariaDB's the database
    }

    /** The tables, or null when the statement is not one of those read here (or more follows it). */
    List<TableId> tables() {
      List<TableId> out = new ArrayList<>();
      if (t.accept("CREATE")) {
        if (!t.accept("GLOBAL")) {
          t.accept("LOCAL");
        }
        if (t.peek().is("TEMP") || t.peek().is("TEMPORARY")) {
          return null; // not replicated anyway
        }
        t.accept("UNLOGGED");
        if (t.accept("TABLE")) {
          t.accept("IF", "NOT", "EXISTS");
          out.add(table());
          return out; // the column list follows
        }
        t.accept("UNIQUE");
        if (!t.accept("INDEX")) {
          return null;
        }
        t.accept("CONCURRENTLY");
        t.accept("IF", "NOT", "EXISTS");
        if (!t.peek().is("ON")) {
          t.next(); // the index's name
        }
        if (!t.accept("ON")) {
          return null;
        }
        t.accept("ONLY");
        out.add(table());
        return out;
      }
      if (t.accept("ALTER", "TABLE")) {
        t.accept("IF", "EXISTS");
        t.accept("ONLY");
        out.add(table());
        return out;
      }
      if (t.accept("DROP", "TABLE")) {
        t.accept("IF", "EXISTS");
        do {
          out.add(table());
        } while (t.acceptSymbol(','));
        return end() ? out : null;
      }
      if (t.accept("RENAME", "TABLE")) {
        do {
          out.add(table());
          if (!t.accept("TO")) {
            return null;
          }
          table();
        } while (t.acceptSymbol(','));
        return end() ? out : null;
      }
      if (t.accept("COMMENT", "ON")) {
        return comment(out);
      }
      return null;
    }

    private List<TableId> comment(List<TableId> out) {
      if (t.accept("TABLE")) {
        out.add(table());
        return out;
      }
      if (!t.accept("COLUMN")) {
        return null;
      }
      List<String> parts = dotted();
      if (parts.size() < 2) {
        return null;
      }
      out.add(parts.size() == 2 ? new TableId(schema, parts.get(0)) : new TableId(parts.get(0), parts.get(1)));
      return out;
    }

    private boolean end() {
      t.accept("CASCADE");
      t.accept("RESTRICT");
      return t.done();
    }

    /** {@code [schema.]name}. */
    private TableId table() {
      List<String> parts = new ArrayList<>();
      parts.add(ident());
      if (t.acceptSymbol('.')) {
        parts.add(ident());
      }
      if (parts.size() == 1) {
        return new TableId(schema, parts.get(0));
      }
      return new TableId(parts.get(0), parts.get(1));
    }

    private List<String> dotted() {
      List<String> parts = new ArrayList<>();
      do {
        parts.add(ident());
      } while (t.acceptSymbol('.'));
      return parts;
    }

    private String ident() {
      DdlTokens.Token token = t.next();
      if (!token.identifier()) {
        throw new IllegalArgumentException("not a name: " + token.text());
      }
      return DdlTokens.name(token, lower);
    }
  }

  /** The first schema of a PostgreSQL {@code search_path} (or a MariaDB database, SQLite's {@code main}). */
  public static String firstSchema(String searchPath) {
    for (String part : searchPath.split(",")) {
      String s = part.strip();
      if (s.startsWith("\"") && s.endsWith("\"") && s.length() > 1) {
        s = s.substring(1, s.length() - 1);
      }
      if (!s.isEmpty() && !s.equals("$user")) {
        return s;
      }
    }
    return "public";
  }
}
