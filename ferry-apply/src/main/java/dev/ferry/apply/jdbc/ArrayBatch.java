package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.apply.dialect.postgres.PostgresValues;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a deferred batch of one row statement on a PostgreSQL target as a single set-based
 * statement over arrays: each column's values travel as one {@code text[]} parameter, are
 * {@code unnest}ed and cast to the target column's own type, then inserted ({@code INSERT … SELECT
 * … ON CONFLICT DO NOTHING}), merged by key ({@code UPDATE … FROM}) or deleted by key
 * ({@code DELETE … USING}). Updates of one key inside the batch collapse to the last one: they set
 * the same columns and locate the row by the same key, so the last one's values are what running
 * them in order leaves.
 *
 * <p>The statement must affect one row per (distinct) entry; otherwise it throws {@link StopApply},
 * which in deferred mode makes the applier replay the group in exact mode, where the row path finds
 * and attributes the conflict. Not thread-safe; used by one {@link ChangeWriter}.
 */
final class ArrayBatch {
  private ArrayBatch() {
  }

  /**
   * Runs {@code ops} (entries of one statement, in change order) set-based if their shape allows
   * it; returns false, having run nothing, if it does not.
   */
  static boolean run(ChangeWriter writer, List<RowOp> ops) throws SQLException, StopApply {
    RowOp first = ops.getFirst();
    TableInfo table = first.table();
    String sql;
    List<RowOp> rows = ops;
    List<Column> columns = first.types();
    switch (first.change()) {
      case Change.Insert i when !table.deferrableKey() -> sql = insert(writer.dialect, table, columns);
      case Change.Update u when !table.keyless() && allNoOldImage(ops) -> {
        rows = lastPerKey(ops, table.primaryKey().size());
        sql = update(writer.dialect, table, columns, columns.size() - table.primaryKey().size());
      }
      case Change.Delete d when !table.keyless() && d.oldImage() == Change.OldImage.KEY -> {
        columns = first.types().subList(0, table.primaryKey().size());
        sql = delete(writer.dialect, table, columns);
      }
      default -> {
        return false;
      }
    }
    writer.running(table.source(), sql, names(columns));
    PreparedStatement ps = writer.cache().get(sql);
    Connection c = writer.connection;
    for (int col = 0; col < columns.size(); col++) {
      String[] values = new String[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        values[r] = PostgresValues.inputText(rows.get(r).params().get(col));
      }
      ps.setArray(col + 1, c.createArrayOf("text", values));
    }
    int affected = ps.executeUpdate();
    if (affected != rows.size()) {
      throw new StopApply("[replica " + writer.replicaName() + "] a deferred set-based statement on " + table.sqlName()
          + " affected " + affected + " of " + rows.size() + " rows; replaying the group in exact mode",
          table.source(), null);
    }
    return true;
  }

  private static boolean allNoOldImage(List<RowOp> ops) {
    for (RowOp op : ops) {
      if (!(op.change() instanceof Change.Update u) || u.oldImage() != Change.OldImage.NONE) {
        return false;
      }
    }
    return true;
  }

  /** The last entry for each key (the key values end the parameters), in order of first appearance. */
  private static List<RowOp> lastPerKey(List<RowOp> ops, int keySize) {
    Map<List<String>, RowOp> last = new LinkedHashMap<>();
    for (RowOp op : ops) {
      List<Value> params = op.params();
      List<String> key = new ArrayList<>(keySize);
      for (Value v : params.subList(params.size() - keySize, params.size())) {
        key.add(PostgresValues.inputText(v));
      }
      last.put(key, op);
    }
    return last.size() == ops.size() ? ops : new ArrayList<>(last.values());
  }

  private static String insert(Dialect d, TableInfo table, List<Column> columns) {
    List<String> names = names(columns);
    // The key as arbiter, as on the row path: a clash on another unique key fails and is named there.
    String arbiter = table.keyless() ? "" : " (" + quoted(d, table.primaryKey()) + ")";
    return "INSERT INTO " + table.sqlName() + " (" + quoted(d, names) + ")" + d.syntax().overridingSystemValue() + " "
        + select(d, table, names, names) + " ON CONFLICT" + arbiter + " DO NOTHING";
  }

  private static String update(Dialect d, TableInfo table, List<Column> columns, int setCount) {
    List<String> set = names(columns.subList(0, setCount));
    List<String> key = names(columns.subList(setCount, columns.size()));
    // The key columns end the parameters (the SET list may carry them too, with the same values).
    List<String> aliases = new ArrayList<>(set);
    List<String> types = new ArrayList<>(set);
    StringBuilder on = new StringBuilder();
    for (int i = 0; i < key.size(); i++) {
      aliases.add("ferry_key_" + i);
      types.add(key.get(i));
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(d.syntax().quote(key.get(i))).append(" = s.")
          .append(d.syntax().quote("ferry_key_" + i));
    }
    StringBuilder assignments = new StringBuilder();
    for (String name : set) {
      assignments.append(assignments.isEmpty() ? "" : ", ").append(d.syntax().quote(name)).append(" = s.")
          .append(d.syntax().quote(name));
    }
    return "UPDATE " + table.sqlName() + " t SET " + assignments + " FROM (" + select(d, table, aliases, types)
        + ") s WHERE " + on;
  }

  private static String delete(Dialect d, TableInfo table, List<Column> key) {
    List<String> names = names(key);
    StringBuilder on = new StringBuilder();
    for (String name : names) {
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(d.syntax().quote(name)).append(" = s.").append(d.syntax().quote(name));
    }
    return "DELETE FROM " + table.sqlName() + " t USING (" + select(d, table, names, names) + ") s WHERE " + on;
  }

  /**
   * {@code SELECT CAST(u.c0 AS <type of typeFrom[0]>) AS <aliases[0]>, … FROM unnest(?::text[], …)
   * AS u(c0, …)}: each value is read by the target column's own input function, as the row path's
   * untyped parameters are.
   */
  private static String select(Dialect d, TableInfo table, List<String> aliases, List<String> typeFrom) {
    StringBuilder out = new StringBuilder("SELECT ");
    StringBuilder arrays = new StringBuilder();
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < aliases.size(); i++) {
      String type = table.byName().get(typeFrom.get(i)).sqlType();
      out.append(i == 0 ? "" : ", ").append("CAST(u.c").append(i).append(" AS ").append(type).append(") AS ")
          .append(d.syntax().quote(aliases.get(i)));
      arrays.append(i == 0 ? "" : ", ").append("CAST(? AS text[])");
      names.append(i == 0 ? "" : ", ").append('c').append(i);
    }
    return out.append(" FROM unnest(").append(arrays).append(") AS u(").append(names).append(')').toString();
  }

  private static List<String> names(List<Column> columns) {
    return columns.stream().map(Column::name).toList();
  }

  private static String quoted(Dialect d, List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      out.append(out.isEmpty() ? "" : ", ").append(d.syntax().quote(name));
    }
    return out.toString();
  }
}
