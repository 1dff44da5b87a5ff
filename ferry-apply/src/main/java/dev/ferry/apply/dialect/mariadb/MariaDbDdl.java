package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.UnmappableDdlException;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import java.util.Optional;

/**
 * DDL from the journal as the statement a MariaDB target runs. A MariaDB source's statement
 * keeps its text, its tables moved into the replica URL's database (as its rows are) and made safe
 * to run twice ({@code IF [NOT] EXISTS} wherever MariaDB has it; an ALTER's clauses by {@link
 * AlterClauses}): MariaDB commits a DDL statement on its own, before the replica's progress, so a
 * crash between the two runs it again. Sequences ({@code CREATE}, {@code ALTER}, {@code DROP SEQUENCE})
 * likewise: an {@code ALTER SEQUENCE … RESTART} run twice restarts it twice, harmless on a replica
 * that hands out no values. A
 * PostgreSQL or SQLite source's statement is read and written anew by {@link ForeignDdl}, or
 * refused. Stateless.
 */
final class MariaDbDdl {
  private MariaDbDdl() {
  }

  /** The statement to run for {@code ddl} from a source of kind {@code source}. */
  static String map(Change.Ddl ddl, SourcePosition.Kind source) throws UnmappableDdlException {
    if (source == SourcePosition.Kind.BINLOG) {
      return fromMariaDb(new DdlTokens(ddl.command()));
    }
    return ForeignDdl.map(ddl, source == SourcePosition.Kind.CHANGE_ID);
  }

  private static String fromMariaDb(DdlTokens t) throws UnmappableDdlException {
    Optional<String> sequence = sequence(t);
    if (sequence.isPresent()) {
      return sequence.get();
    } else if (t.accept("CREATE")) {
      boolean orReplace = t.accept("OR", "REPLACE");
      if (t.accept("TABLE")) {
        t.accept("IF", "NOT", "EXISTS");
        String table = table(t);
        return (orReplace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE IF NOT EXISTS ") + table + " " + t.rest();
      }
      int kind = t.position();
      t.accept("UNIQUE");
      t.accept("FULLTEXT");
      t.accept("SPATIAL");
      String what = t.textSince(kind);
      if (!orReplace && t.accept("INDEX")) {
        t.accept("IF", "NOT", "EXISTS");
        String index = quote(t.next());
        expect(t, "ON", index);
        String table = table(t);
        return "CREATE " + (what.isEmpty() ? "" : what + " ") + "INDEX IF NOT EXISTS " + index + " ON " + table + " "
            + t.rest();
      }
    } else if (t.accept("DROP", "INDEX")) {
      t.accept("IF", "EXISTS");
      String index = quote(t.next());
      expect(t, "ON", index);
      return "DROP INDEX IF EXISTS " + index + " ON " + table(t) + " " + t.rest();
    } else if (t.accept("DROP", "TABLE")) {
      t.accept("IF", "EXISTS");
      StringBuilder out = new StringBuilder("DROP TABLE IF EXISTS ").append(table(t));
      while (t.acceptSymbol(',')) {
        out.append(", ").append(table(t));
      }
      return out.append(' ').append(t.rest()).toString().strip();
    } else if (t.accept("RENAME", "TABLE")) {
      t.accept("IF", "EXISTS");
      StringBuilder out = new StringBuilder("RENAME TABLE IF EXISTS ");
      do {
        String from = table(t);
        expect(t, "TO", from);
        out.append(out.charAt(out.length() - 1) == ' ' ? "" : ", ").append(from).append(" TO ").append(table(t));
      } while (t.acceptSymbol(','));
      return out.toString();
    } else if (t.peek().is("ALTER")) {
      return alter(t);
    }
    throw new UnmappableDdlException("", "Ferry maps CREATE TABLE, CREATE INDEX, ALTER TABLE, DROP TABLE, DROP INDEX,"
        + " RENAME TABLE and CREATE, ALTER and DROP SEQUENCE from a MariaDB source, not this statement");
  }

  /** {@code CREATE [OR REPLACE]}, {@code ALTER} or {@code DROP SEQUENCE}, safe to run twice; empty for other statements. */
  private static Optional<String> sequence(DdlTokens t) throws UnmappableDdlException {
    if (t.accept("CREATE", "SEQUENCE") || t.accept("CREATE", "OR", "REPLACE", "SEQUENCE")) {
      boolean orReplace = t.textSince(0).toUpperCase(java.util.Locale.ROOT).contains("REPLACE");
      t.accept("IF", "NOT", "EXISTS");
      String name = table(t);
      return Optional.of((orReplace ? "CREATE OR REPLACE SEQUENCE " : "CREATE SEQUENCE IF NOT EXISTS ") + name + " "
          + t.rest());
    } else if (t.accept("ALTER", "SEQUENCE")) {
      t.accept("IF", "EXISTS");
      return Optional.of("ALTER SEQUENCE IF EXISTS " + table(t) + " " + t.rest());
    } else if (t.accept("DROP", "SEQUENCE")) {
      t.accept("IF", "EXISTS");
      StringBuilder out = new StringBuilder("DROP SEQUENCE IF EXISTS ").append(table(t));
      while (t.acceptSymbol(',')) {
        out.append(", ").append(table(t));
      }
      return Optional.of(out.append(' ').append(t.rest()).toString().strip());
    }
    return Optional.empty();
  }

  private static String alter(DdlTokens t) throws UnmappableDdlException {
    int start = t.position();
    t.next();
    t.accept("ONLINE");
    t.accept("IGNORE");
    if (!t.accept("TABLE")) {
      throw new UnmappableDdlException("", "Ferry maps ALTER TABLE from a MariaDB source, not this ALTER");
    }
    String head = t.textSince(start);
    t.accept("IF", "EXISTS");
    StringBuilder out = new StringBuilder(head).append(" IF EXISTS ").append(table(t));
    AlterClauses clauses = new AlterClauses(t, out);
    boolean first = true;
    while (!t.done()) {
      out.append(first ? " " : ", ");
      first = false;
      clauses.next();
    }
    return out.toString();
  }

  /** A table name, {@code db.t} or {@code t}: the table of that name in the replica URL's database. */
  static String table(DdlTokens t) throws UnmappableDdlException {
    DdlTokens.Token name = t.next();
    if (!name.identifier()) {
      throw new UnmappableDdlException("", "no table name where Ferry expected one, at '" + name.text() + "'");
    }
    if (t.acceptSymbol('.')) {
      name = t.next();
      if (!name.identifier()) {
        throw new UnmappableDdlException("", "no table name after the database's, at '" + name.text() + "'");
      }
    }
    return MariaDbSyntax.INSTANCE.quote(name.text());
  }

  private static String quote(DdlTokens.Token t) throws UnmappableDdlException {
    if (!t.identifier()) {
      throw new UnmappableDdlException("", "no name where Ferry expected one, at '" + t.text() + "'");
    }
    return MariaDbSyntax.INSTANCE.quote(t.text());
  }

  private static void expect(DdlTokens t, String word, String after) throws UnmappableDdlException {
    if (!t.accept(word)) {
      throw new UnmappableDdlException("", "no " + word + " after " + after);
    }
  }
}
