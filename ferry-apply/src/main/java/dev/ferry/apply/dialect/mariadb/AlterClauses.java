package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.UnmappableDdlException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The clauses of a MariaDB source's {@code ALTER TABLE}, each written in a form that is safe to run
 * twice: MariaDB commits a DDL on its own, before the replica's progress row, so after a crash
 * between the two the replica runs it again. MariaDB 10.5 and later take {@code IF [NOT] EXISTS} on
 * nearly every clause: {@code ADD [COLUMN]}, {@code ADD [UNIQUE|FULLTEXT|SPATIAL] INDEX|KEY}, {@code
 * ADD PRIMARY KEY} (a second primary key is then a note), {@code ADD [CONSTRAINT c] FOREIGN KEY},
 * {@code ADD CONSTRAINT c CHECK}, {@code DROP [COLUMN|INDEX|KEY|CONSTRAINT|FOREIGN KEY|PARTITION]},
 * {@code MODIFY}, {@code CHANGE}, {@code RENAME COLUMN|INDEX|KEY}; {@code DROP PRIMARY KEY} has no
 * such form and becomes {@code DROP INDEX IF EXISTS `PRIMARY`}.
 *
 * <p>MariaDB checks every {@code IF NOT EXISTS} against the table as it was before the statement,
 * so a name the same statement drops first ({@code DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)}, or
 * an index redefined) is added without it: on the second run the drop removes it and the add puts
 * it back. Not safe to run twice: an unnamed {@code ADD CHECK} (a second, generated name) and
 * renames in a cycle (a swap of two names runs back). Not thread safe: one per statement.
 */
final class AlterClauses {
  /** What may follow {@code ADD} that is no column. */
  private static final Set<String> NOT_COLUMNS = Set.of("INDEX", "KEY", "CONSTRAINT", "PRIMARY", "UNIQUE",
      "FULLTEXT", "SPATIAL", "FOREIGN", "PARTITION", "PERIOD", "SYSTEM", "CHECK", "IF");
  /** What may follow {@code DROP} that is no column and has no IF EXISTS. */
  private static final Set<String> NOT_DROPPED_COLUMNS = Set.of("CHECK", "SYSTEM", "PERIOD");
  /** What may follow {@code ADD CONSTRAINT} when the constraint has no name. */
  private static final Set<String> CONSTRAINT_KINDS = Set.of("PRIMARY", "UNIQUE", "FOREIGN", "CHECK");
  private static final String COLUMN = "column:";
  private static final String INDEX = "index:";

  private final DdlTokens t;
  private final StringBuilder out;
  /** Columns and indexes (as {@code column:name}, {@code index:name}) an earlier clause drops. */
  private final Set<String> dropped = new HashSet<>();

  AlterClauses(DdlTokens t, StringBuilder out) {
    this.t = t;
    this.out = out;
  }

  /** Writes the next clause, up to its top-level comma (taken). */
  void next() throws UnmappableDdlException {
    if (t.accept("ADD")) {
      add();
    } else if (t.accept("DROP")) {
      drop();
    } else if (t.accept("MODIFY") || t.accept("CHANGE")) {
      out.append(t.textSince(t.position() - 1)).append(' ');
      if (t.accept("COLUMN")) {
        out.append("COLUMN ");
      }
      ifExists("");
    } else if (t.peek().is("RENAME")) {
      rename();
    }
    int from = t.position();
    while (!t.done() && !t.peek().isSymbol(',')) {
      if (t.peek().isSymbol('(')) {
        t.skipParenthesised();
      } else {
        t.next();
      }
    }
    out.append(t.textSince(from));
    t.acceptSymbol(',');
  }

  private void add() {
    out.append("ADD ");
    if (t.accept("COLUMN")) {
      out.append("COLUMN ");
      ifNotExists(COLUMN);
      return;
    }
    String symbol = "";
    if (t.accept("CONSTRAINT")) {
      out.append("CONSTRAINT ");
      boolean check = t.accept("IF", "NOT", "EXISTS") || t.peek(1).is("CHECK");
      if (!CONSTRAINT_KINDS.contains(upper(t.peek()))) {
        symbol = key(INDEX, t.peek());
        out.append(check && !dropped.contains(symbol) ? "IF NOT EXISTS " : "").append(t.next().text()).append(' ');
      }
    }
    if (t.accept("PRIMARY", "KEY")) {
      out.append("PRIMARY KEY ");
      t.accept("IF", "NOT", "EXISTS");
      out.append(dropped.contains(INDEX + "primary") ? "" : "IF NOT EXISTS ");
    } else if (t.peek().is("UNIQUE") || t.peek().is("FULLTEXT") || t.peek().is("SPATIAL")) {
      out.append(upper(t.next())).append(' ');
      if (t.accept("INDEX") || t.accept("KEY")) {
        out.append("INDEX ");
      }
      ifNotExists(INDEX);
    } else if (t.accept("INDEX") || t.accept("KEY")) {
      out.append("INDEX ");
      ifNotExists(INDEX);
    } else if (t.accept("FOREIGN", "KEY")) {
      out.append("FOREIGN KEY ");
      if (symbol.isEmpty()) {
        ifNotExists(INDEX);
      } else {
        t.accept("IF", "NOT", "EXISTS");
        out.append(dropped.contains(symbol) ? "" : "IF NOT EXISTS ");
        if (!t.peek().isSymbol('(')) {
          t.next(); // MariaDB names the index after the constraint anyway, and checks IF NOT EXISTS by that name
        }
      }
    } else if (!NOT_COLUMNS.contains(upper(t.peek())) && t.peek().identifier()) {
      ifNotExists(COLUMN);
    }
  }

  private void drop() {
    out.append("DROP ");
    if (t.accept("PRIMARY", "KEY")) {
      out.append("INDEX IF EXISTS `PRIMARY`");
      dropped.add(INDEX + "primary");
    } else if (t.accept("COLUMN")) {
      out.append("COLUMN ");
      ifExists(COLUMN);
    } else if (t.accept("INDEX") || t.accept("KEY") || t.accept("CONSTRAINT") || t.accept("PARTITION")) {
      String kind = upper(t.peek(-1));
      out.append(kind).append(' ');
      ifExists(kind.equals("PARTITION") ? "" : INDEX);
    } else if (t.accept("FOREIGN", "KEY")) {
      out.append("FOREIGN KEY ");
      ifExists(INDEX);
    } else if (!NOT_DROPPED_COLUMNS.contains(upper(t.peek()))) {
      ifExists(COLUMN);
    }
  }

  /** {@code RENAME COLUMN|INDEX|KEY [IF EXISTS] a TO b}, or the table's {@code RENAME [TO|AS] t2}. */
  private void rename() throws UnmappableDdlException {
    t.next();
    if (t.accept("COLUMN")) {
      out.append("RENAME COLUMN ");
      ifExists("");
    } else if (t.accept("INDEX") || t.accept("KEY")) {
      out.append("RENAME INDEX ");
      ifExists("");
    } else {
      if (!t.accept("TO")) {
        t.accept("AS");
      }
      out.append("RENAME TO ").append(MariaDbDdl.table(t));
    }
  }

  /** Writes {@code IF NOT EXISTS} (the source's own taken) unless an earlier clause drops the name that follows. */
  private void ifNotExists(String kind) {
    t.accept("IF", "NOT", "EXISTS");
    out.append(dropped.contains(key(kind, t.peek())) ? "" : "IF NOT EXISTS ");
  }

  /** Writes {@code IF EXISTS} (the source's own taken); notes the name that follows as dropped if {@code kind} is given. */
  private void ifExists(String kind) {
    t.accept("IF", "EXISTS");
    out.append("IF EXISTS ");
    if (!kind.isEmpty()) {
      dropped.add(key(kind, t.peek()));
    }
  }

  private static String key(String kind, DdlTokens.Token name) {
    return kind + name.text().toLowerCase(Locale.ROOT);
  }

  private static String upper(DdlTokens.Token token) {
    return token.text().toUpperCase(Locale.ROOT);
  }
}
