package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.DdlTables;
import dev.ferry.apply.dialect.DdlTokens;
import dev.ferry.apply.dialect.UnmappableDdlException;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A PostgreSQL or SQLite source's DDL written anew for MariaDB: {@code CREATE TABLE} (columns
 * with a type of {@link DdlTypes}, {@code NOT NULL}, literal defaults, primary and unique keys),
 * {@code ALTER TABLE … ADD [COLUMN]} / {@code DROP [COLUMN]} / {@code RENAME TO} / {@code RENAME
 * [COLUMN] a TO b}, {@code CREATE
 * [UNIQUE] INDEX} on plain columns and {@code DROP TABLE}, each with {@code IF [NOT] EXISTS} so
 * that it can run twice. Tables are named as {@link MariaDbSyntax} names a row's table (a default
 * schema is the replica URL's database). Anything else is refused, naming the table. Not thread
 * safe: one per statement.
 */
final class ForeignDdl {
  private final DdlTokens t;
  private final boolean sqlite;
  private final String schema;
  private String table = "";

  private ForeignDdl(Change.Ddl ddl, boolean sqlite) {
    this.t = new DdlTokens(ddl.command());
    this.sqlite = sqlite;
    this.schema = sqlite ? "main" : DdlTables.firstSchema(ddl.searchPath());
  }

  static String map(Change.Ddl ddl, boolean sqlite) throws UnmappableDdlException {
    return new ForeignDdl(ddl, sqlite).statement();
  }

  private String statement() throws UnmappableDdlException {
    if (t.accept("CREATE", "TABLE")) {
      return createTable();
    }
    if (t.accept("CREATE")) {
      boolean unique = t.accept("UNIQUE");
      if (t.accept("INDEX")) {
        return createIndex(unique);
      }
    } else if (t.accept("ALTER", "TABLE")) {
      return alter();
    } else if (t.accept("DROP", "TABLE")) {
      t.accept("IF", "EXISTS");
      StringBuilder out = new StringBuilder("DROP TABLE IF EXISTS ").append(tableName());
      while (t.acceptSymbol(',')) {
        out.append(", ").append(tableName());
      }
      if (!t.accept("CASCADE")) {
        t.accept("RESTRICT");
      }
      end();
      return out.toString();
    }
    throw refuse("Ferry maps CREATE TABLE, ALTER TABLE (ADD, DROP, RENAME [COLUMN], RENAME TO), CREATE INDEX and DROP TABLE from a "
        + source() + " source into MariaDB, not this statement");
  }

  private String createTable() throws UnmappableDdlException {
    t.accept("IF", "NOT", "EXISTS");
    String name = tableName();
    if (!t.acceptSymbol('(')) {
      throw refuse("a CREATE TABLE without a column list (AS, LIKE, PARTITION OF, …) is not mapped");
    }
    List<String> columns = new ArrayList<>();
    Set<String> primary = new LinkedHashSet<>();
    List<String> uniques = new ArrayList<>();
    List<ColumnDraft> drafts = new ArrayList<>();
    do {
      if (t.accept("CONSTRAINT")) {
        t.next();
      }
      if (t.accept("PRIMARY", "KEY")) {
        primary.addAll(columnList(false));
      } else if (t.accept("UNIQUE")) {
        uniques.add(String.join(", ", columnList(false)));
      } else if (t.peek().is("CHECK") || t.peek().is("FOREIGN") || t.peek().is("EXCLUDE") || t.peek().is("LIKE")) {
        throw refuse("the table constraint " + t.peek().text().toUpperCase(java.util.Locale.ROOT) + " is not mapped");
      } else {
        ColumnDraft c = column(true);
        drafts.add(c);
        if (c.primaryKey) {
          primary.add(c.name);
        }
        if (c.unique) {
          uniques.add(c.name);
        }
      }
    } while (t.acceptSymbol(','));
    if (!t.acceptSymbol(')')) {
      throw refuse("unexpected '" + t.peek().text() + "' in the column list");
    }
    if (sqlite) {
      while (t.accept("WITHOUT", "ROWID") || t.accept("STRICT") || t.acceptSymbol(',')) {
        // SQLite's storage options mean nothing to MariaDB
      }
    }
    end();
    Set<String> keyed = new LinkedHashSet<>(primary);
    uniques.forEach(u -> keyed.addAll(List.of(u.split(", "))));
    for (ColumnDraft c : drafts) {
      columns.add(c.render(keyed.contains(c.name)));
    }
    if (!primary.isEmpty()) {
      columns.add("PRIMARY KEY (" + String.join(", ", primary) + ")");
    }
    uniques.forEach(u -> columns.add("UNIQUE (" + u + ")"));
    return "CREATE TABLE IF NOT EXISTS " + name + " (" + String.join(", ", columns) + ")";
  }

  private String alter() throws UnmappableDdlException {
    t.accept("IF", "EXISTS");
    t.accept("ONLY");
    String name = tableName();
    if (t.accept("RENAME", "TO")) {
      String to = MariaDbSyntax.INSTANCE.tableName(new TableId(qualifier(), ident(t.next())));
      end();
      return "RENAME TABLE IF EXISTS " + name + " TO " + to;
    }
    if (t.accept("RENAME")) {
      t.accept("COLUMN");
      String from = quoted(t.next());
      if (!t.accept("TO")) {
        throw refuse("ALTER TABLE … RENAME is mapped for a column or the table, not this");
      }
      String to = quoted(t.next());
      end();
      return "ALTER TABLE " + name + " RENAME COLUMN IF EXISTS " + from + " TO " + to;
    }
    List<String> actions = new ArrayList<>();
    do {
      if (t.accept("ADD")) {
        t.accept("COLUMN");
        t.accept("IF", "NOT", "EXISTS");
        ColumnDraft c = column(false);
        if (c.primaryKey) {
          throw refuse("adding a column as the primary key is not mapped");
        }
        actions.add("ADD COLUMN IF NOT EXISTS " + c.render(c.unique) + (c.unique ? " UNIQUE" : ""));
      } else if (t.accept("DROP")) {
        t.accept("COLUMN");
        t.accept("IF", "EXISTS");
        actions.add("DROP COLUMN IF EXISTS " + quoted(t.next()));
        if (!t.accept("CASCADE")) {
          t.accept("RESTRICT");
        }
      } else {
        throw refuse("ALTER TABLE … " + t.peek().text().toUpperCase(java.util.Locale.ROOT) + " is not mapped (only ADD"
            + " [COLUMN], DROP [COLUMN], RENAME [COLUMN] and RENAME TO are)");
      }
    } while (t.acceptSymbol(','));
    end();
    return "ALTER TABLE " + name + " " + String.join(", ", actions);
  }

  private String createIndex(boolean unique) throws UnmappableDdlException {
    t.accept("CONCURRENTLY"); // MariaDB builds an InnoDB index online anyway
    t.accept("IF", "NOT", "EXISTS");
    String index = null;
    if (!t.peek().is("ON")) {
      DdlTokens.Token first = t.next();
      if (t.acceptSymbol('.')) {
        first = t.next(); // SQLite names the index's schema; MariaDB's index belongs to its table
      }
      index = ident(first);
    }
    if (!t.accept("ON")) {
      throw refuse("no ON after the index name");
    }
    t.accept("ONLY");
    String name = tableName();
    if (t.accept("USING") && !t.next().is("btree")) {
      throw refuse("only B-tree indexes are mapped");
    }
    List<String> columns = columnList(true);
    end();
    if (index == null) {
      String bare = table.substring(table.indexOf('.') + 1);
      index = bare + "_" + String.join("_", columns.stream().map(c -> c.substring(1, c.indexOf('`', 1))).toList())
          + (unique ? "_key" : "_idx");
    }
    return "CREATE " + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + MariaDbSyntax.INSTANCE.quote(index) + " ON "
        + name + " (" + String.join(", ", columns) + ")";
  }

  /**
   * {@code (a [ASC|DESC], b …)}: the columns, quoted, with their order if {@code withOrder} (an
   * index's); expressions and options are refused.
   */
  private List<String> columnList(boolean withOrder) throws UnmappableDdlException {
    if (!t.acceptSymbol('(')) {
      throw refuse("no column list where Ferry expected one");
    }
    List<String> columns = new ArrayList<>();
    do {
      DdlTokens.Token c = t.next();
      if (!c.identifier() || t.peek().isSymbol('(')) {
        throw refuse("only plain columns are mapped in a key or index, not '" + c.text() + "'");
      }
      String order = t.accept("ASC") ? " ASC" : t.accept("DESC") ? " DESC" : "";
      columns.add(quoted(c) + (withOrder ? order : ""));
    } while (t.acceptSymbol(','));
    if (!t.acceptSymbol(')')) {
      throw refuse("unexpected '" + t.peek().text() + "' in a column list");
    }
    return columns;
  }

  /** A column definition: its name, its type (mapped by {@link DdlTypes}) and its constraints. */
  private ColumnDraft column(boolean inTable) throws UnmappableDdlException {
    DdlTokens.Token name = t.next();
    if (!name.identifier()) {
      throw refuse("no column name where Ferry expected one, at '" + name.text() + "'");
    }
    ColumnDraft c = new ColumnDraft(quoted(name));
    c.type = DdlTypes.read(t, sqlite, table, c.name);
    c.notNull = c.type.notNull();
    while (!t.done() && !t.peek().isSymbol(',') && !t.peek().isSymbol(')')) {
      if (t.accept("NOT", "NULL")) {
        c.notNull = true;
      } else if (t.accept("NULL")) {
        c.notNull = false;
      } else if (t.accept("PRIMARY", "KEY")) {
        c.primaryKey = true;
        if (!t.accept("ASC")) {
          t.accept("DESC");
        }
        t.accept("AUTOINCREMENT");
      } else if (t.accept("UNIQUE")) {
        c.unique = true;
      } else if (t.accept("CONSTRAINT")) {
        t.next();
      } else if (t.accept("DEFAULT")) {
        c.defaultValue = " DEFAULT " + DdlTypes.defaultValue(t, table, c.name);
      } else {
        throw refuse("the column option " + t.peek().text().toUpperCase(java.util.Locale.ROOT) + " of " + c.name
            + " is not mapped");
      }
    }
    return c;
  }

  private String tableName() throws UnmappableDdlException {
    DdlTokens.Token first = t.next();
    String s = schema;
    String name = ident(first);
    if (t.acceptSymbol('.')) {
      s = name;
      name = ident(t.next());
    }
    table = s + "." + name;
    return MariaDbSyntax.INSTANCE.tableName(new TableId(s, name));
  }

  private String qualifier() {
    return table.substring(0, table.indexOf('.'));
  }

  private String ident(DdlTokens.Token token) throws UnmappableDdlException {
    if (!token.identifier()) {
      throw refuse("no name where Ferry expected one, at '" + token.text() + "'");
    }
    return DdlTokens.name(token, !sqlite);
  }

  private String quoted(DdlTokens.Token token) throws UnmappableDdlException {
    return MariaDbSyntax.INSTANCE.quote(ident(token));
  }

  private void end() throws UnmappableDdlException {
    if (!t.done()) {
      throw refuse("'" + t.rest() + "' is not mapped");
    }
  }

  private String source() {
    return sqlite ? "SQLite" : "PostgreSQL";
  }

  private UnmappableDdlException refuse(String why) {
    return new UnmappableDdlException(table, why);
  }

  /** A column as read, rendered once the table's keys are known (a key column needs a bounded type). */
  private static final class ColumnDraft {
    final String name;
    MariaDbTypes.Mapped type;
    boolean notNull;
    boolean primaryKey;
    boolean unique;
    String defaultValue = "";

    ColumnDraft(String name) {
      this.name = name;
    }

    String render(boolean keyed) {
      return name + " " + (keyed ? type.keyType() : type.type()) + (notNull ? " NOT NULL" : "") + defaultValue;
    }
  }
}
