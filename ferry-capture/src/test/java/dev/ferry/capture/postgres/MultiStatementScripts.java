package dev.ferry.capture.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random multi-statement query strings as clients send them with {@code psql -c}: DDL, DML and
 * transaction control mixed, with comments and quoted text (dollar quotes and strings holding
 * semicolons, comment markers and quotes) inside and between statements. Each string comes with
 * its statements as the server splits them and the DDL statements that survive it (a ROLLBACK or
 * ROLLBACK TO undoes the DDL since its block or savepoint), in order. Works on a table
 * {@code t (id int PRIMARY KEY, v text)}; every name it creates is new, so every string succeeds.
 */
final class MultiStatementScripts {
  /** One query string, its statements, and the DDL among them that a transaction commits. */
  record Query(String text, List<String> statements, List<String> committedDdl, boolean undidDdl) {
  }

  private final SplittableRandom random;
  private int names;
  private List<String> statements;
  private List<String> pending;
  private List<String> committed;
  private boolean undidDdl;

  MultiStatementScripts(SplittableRandom random) {
    this.random = random;
  }

  Query next() {
    statements = new ArrayList<>();
    pending = new ArrayList<>();
    committed = new ArrayList<>();
    undidDdl = false;
    int units = 2 + random.nextInt(6);
    for (int u = 0; u < units; u++) {
      int kind = random.nextInt(10);
      if (kind < 3) {
        explicitBlock();
      } else if (kind == 3 && !pending.isEmpty()) {
        add("rollback", false);
        undo(0);
      } else {
        plain();
      }
    }
    committed.addAll(pending);
    return new Query(join(), List.copyOf(statements), List.copyOf(committed), undidDdl);
  }

  private void explicitBlock() {
    add(random.nextBoolean() ? "begin" : "START TRANSACTION", false);
    int n = 1 + random.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (random.nextInt(5) == 0) {
        savepointBlock();
      } else {
        plain();
      }
    }
    if (random.nextInt(4) == 0) {
      add(random.nextBoolean() ? "rollback" : "ABORT", false);
      undo(0);
    } else {
      add(random.nextBoolean() ? "commit" : "END", false);
      committed.addAll(pending);
      pending.clear();
    }
  }

  private void savepointBlock() {
    String name = "sp" + random.nextInt(3);
    add("savepoint " + name, false);
    int mark = pending.size();
    plain();
    plain();
    if (random.nextBoolean()) {
      add("rollback to savepoint " + name, false);
      undo(mark);
    } else {
      add("release " + name, false);
    }
  }

  private void undo(int mark) {
    undidDdl |= pending.size() > mark;
    pending.subList(mark, pending.size()).clear();
  }

  private void plain() {
    if (random.nextInt(5) < 2) {
      add(ddl(), true);
    } else {
      add(dml(), false);
    }
  }

  private void add(String statement, boolean isDdl) {
    statements.add(statement);
    if (isDdl) {
      pending.add(statement);
    }
  }

  private String ddl() {
    int n = ++names;
    return switch (random.nextInt(13)) {
      case 0 -> "create table c" + n + " (a int primary key, b text default 'x;y -- z')";
      case 1 -> "CREATE /* a comment; /* nested; */ still */ TABLE IF NOT EXISTS \"Odd;Name" + n + "\" (\"a;b\" int)";
      case 2 -> "alter table t add column col" + n + " int";
      case 3 -> "create unique index ix" + n + " on t (id)";
      case 4 -> "CREATE INDEX IF NOT EXISTS ix" + n + " ON t (v)";
      case 5 -> "create or replace view v" + n + " as select id, v || ';' as w from t where v <> $$;$$";
      case 6 -> "create function f" + n + "() returns int language plpgsql as $body$\n  begin\n"
          + "    perform 1; -- a line comment; in the body\n    return 1;\n  end\n$body$";
      case 7 -> "create table c" + n + " as select 1 as a, 'it''s; fine' as b";
      case 8 -> "select 1 as a, E'\\';' as b into c" + n;
      case 9 -> "comment on table t is 'it''s; \"quoted\" -- not a comment'";
      case 10 -> "drop table if exists nothing_here" + n;
      case 11 -> "create temp table tmp" + n + " (a int) on commit preserve rows";
      default -> "create sequence s" + n + " start 5";
    };
  }

  private String dml() {
    int id = ++names;
    return switch (random.nextInt(8)) {
      case 0 -> "insert into t (id, v) values (" + id + ", 'text; -- not a comment /* nor this */ $$')";
      case 1 -> "insert into t (id, v) values (" + id + ", $q$dollar; quoted 'text'$q$)";
      case 2 -> "update t set v = E'it\\'s; ok' where id % 3 = 0";
      case 3 -> "select 'a;b' as x, \"left\"('c;d', 1)";
      case 4 -> "with x as (select 1 as a) select a from x";
      case 5 -> "delete from t where id = -" + id;
      case 6 -> "do $$ begin perform 1; end $$";
      default -> "insert into t (id, v) /* values; */ values (" + id + ", 'x')";
    };
  }

  /** Statements joined by semicolons, whitespace and comments between them. */
  private String join() {
    StringBuilder sb = new StringBuilder();
    for (String s : statements) {
      switch (random.nextInt(6)) {
        case 0 -> sb.append("-- between; statements\n");
        case 1 -> sb.append("/* before; */ ");
        case 2 -> sb.append("\n\t");
        default -> {
        }
      }
      sb.append(s).append(random.nextInt(8) == 0 ? " ;; " : "; ");
    }
    return sb.toString();
  }
}
