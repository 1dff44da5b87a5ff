package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a deferred batch of one row statement as a single set-based statement, where the target has
 * {@link SetStatements} (PostgreSQL: arrays unnested and cast to the target columns' own types):
 * inserts skipping existing keys, updates merged by key, deletes by key. Updates of one key inside
 * the batch collapse to the last one: they set the same columns and locate the row by the same
 * key, so the last one's values are what running them in order leaves.
 *
 * <p>The statement must affect one row per (distinct) entry; otherwise it throws {@link StopApply},
 * which in deferred mode makes the applier replay the group in exact mode, where the row path finds
 * and attributes the conflict. Not thread-safe; used by one {@link ChangeWriter}.
 */
final class ArrayBatch {
  private ArrayBatch() {
  }

  /**
   * Runs {@code ops} (entries of one statement, in change order) set-based if the target can and
   * their shape allows it; returns false, having run nothing, if not.
   */
  static boolean run(ChangeWriter writer, List<RowOp> ops) throws SQLException, StopApply {
    Optional<SetStatements> statements = writer.dialect.setStatements();
    if (statements.isEmpty()) {
      return false;
    }
    SetStatements set = statements.get();
    RowOp first = ops.getFirst();
    TableInfo table = first.table();
    String sql;
    List<RowOp> rows = ops;
    List<Column> columns = first.types();
    switch (first.change()) {
      case Change.Insert i when !table.deferrableKey() -> sql = set.insert(table, names(columns));
      case Change.Update u when !table.keyless() && allNoOldImage(ops) -> {
        int setCount = columns.size() - table.primaryKey().size();
        rows = lastPerKey(set, ops, table.primaryKey().size());
        sql = set.update(table, names(columns.subList(0, setCount)), names(columns.subList(setCount, columns.size())));
      }
      case Change.Delete d when !table.keyless() && d.oldImage() == Change.OldImage.KEY -> {
        columns = first.types().subList(0, table.primaryKey().size());
        sql = set.delete(table, names(columns));
      }
      default -> {
        return false;
      }
    }
    writer.running(table.source(), sql, names(columns));
    PreparedStatement ps = writer.cache().get(sql);
    for (int col = 0; col < columns.size(); col++) {
      List<Value> values = new ArrayList<>(rows.size());
      for (RowOp row : rows) {
        values.add(row.params().get(col));
      }
      set.bindColumn(ps, col + 1, values);
    }
    int affected = ps.executeUpdate();
    if (affected != rows.size()) {
      throw new StopApply(writer.side(), "a deferred set-based statement on " + table.sqlName()
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
  private static List<RowOp> lastPerKey(SetStatements set, List<RowOp> ops, int keySize) {
    Map<List<String>, RowOp> last = new LinkedHashMap<>();
    for (RowOp op : ops) {
      List<Value> params = op.params();
      List<String> key = new ArrayList<>(keySize);
      for (Value v : params.subList(params.size() - keySize, params.size())) {
        key.add(set.keyText(v));
      }
      last.put(key, op);
    }
    return last.size() == ops.size() ? ops : new ArrayList<>(last.values());
  }

  private static List<String> names(List<Column> columns) {
    return columns.stream().map(Column::name).toList();
  }
}
