package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's {@link SetStatements}, over arrays: each column's values travel as one
 * {@code text[]} parameter, are {@code unnest}ed and cast to the target column's own type, then
 * inserted ({@code INSERT … SELECT … ON CONFLICT DO NOTHING}), merged by key ({@code UPDATE …
 * FROM}) or deleted by key ({@code DELETE … USING}). Stateless.
 */
final class PostgresSetStatements implements SetStatements {
  static final PostgresSetStatements INSTANCE = new PostgresSetStatements();
  private static final PostgresSyntax SYNTAX = PostgresSyntax.INSTANCE;

  private PostgresSetStatements() {
  }

  @Override
  public String insert(TableInfo table, List<String> columns) {
    // The key as arbiter, as on the row path: a clash on another unique key fails and is named there.
    String arbiter = table.keyless() ? "" : " (" + quoted(table.primaryKey()) + ")";
    return "INSERT INTO " + table.sqlName() + " (" + quoted(columns) + ")" + SYNTAX.overridingSystemValue() + " "
        + select(table, columns, columns) + " ON CONFLICT" + arbiter + " DO NOTHING";
  }

  @Override
  public String update(TableInfo table, List<String> set, List<String> key) {
    // The key columns end the parameters (the SET list may carry them too, with the same values).
    List<String> aliases = new ArrayList<>(set);
    List<String> types = new ArrayList<>(set);
    StringBuilder on = new StringBuilder();
    for (int i = 0; i < key.size(); i++) {
      aliases.add("ferry_key_" + i);
      types.add(key.get(i));
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(SYNTAX.quote(key.get(i))).append(" = s.")
          .append(SYNTAX.quote("ferry_key_" + i));
    }
    StringBuilder assignments = new StringBuilder();
    for (String name : set) {
      assignments.append(assignments.isEmpty() ? "" : ", ").append(SYNTAX.quote(name)).append(" = s.")
          .append(SYNTAX.quote(name));
    }
    return "UPDATE " + table.sqlName() + " t SET " + assignments + " FROM (" + select(table, aliases, types)
        + ") s WHERE " + on;
  }

  @Override
  public String delete(TableInfo table, List<String> key) {
    StringBuilder on = new StringBuilder();
    for (String name : key) {
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(SYNTAX.quote(name)).append(" = s.")
          .append(SYNTAX.quote(name));
    }
    return "DELETE FROM " + table.sqlName() + " t USING (" + select(table, key, key) + ") s WHERE " + on;
  }

  /** The column as one {@code text[]}: each value's input text, read by the column's input function. */
  @Override
  public void bindColumn(PreparedStatement ps, int index, List<Value> values) throws SQLException {
    String[] texts = new String[values.size()];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = PostgresValues.inputText(values.get(i));
    }
    ps.setArray(index, ps.getConnection().createArrayOf("text", texts));
  }

  @Override
  public String keyText(Value value) {
    return PostgresValues.inputText(value);
  }

  /**
   * {@code SELECT CAST(u.c0 AS <type of typeFrom[0]>) AS <aliases[0]>, … FROM unnest(?::text[], …)
   * AS u(c0, …)}: each value is read by the target column's own input function, as the row path's
   * untyped parameters are.
   */
  private static String select(TableInfo table, List<String> aliases, List<String> typeFrom) {
    StringBuilder out = new StringBuilder("SELECT ");
    StringBuilder arrays = new StringBuilder();
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < aliases.size(); i++) {
      String type = table.byName().get(typeFrom.get(i)).sqlType();
      out.append(i == 0 ? "" : ", ").append("CAST(u.c").append(i).append(" AS ").append(type).append(") AS ")
          .append(SYNTAX.quote(aliases.get(i)));
      arrays.append(i == 0 ? "" : ", ").append("CAST(? AS text[])");
      names.append(i == 0 ? "" : ", ").append('c').append(i);
    }
    return out.append(" FROM unnest(").append(arrays).append(") AS u(").append(names).append(')').toString();
  }

  private static String quoted(List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      out.append(out.isEmpty() ? "" : ", ").append(SYNTAX.quote(name));
    }
    return out.toString();
  }
}
