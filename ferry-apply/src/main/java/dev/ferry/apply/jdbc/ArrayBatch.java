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
 * {@link SetStatements} (PostgreSQL: arrays unnested and cast to the target columns' own types;
 * MariaDB, without arrays: inserts only, as multi-row statements):
 * inserts skipping existing keys, updates merged by key, deletes by key. Updates of one key inside
 * the batch collapse to the last one: they set the same columns and locate the row by the same
 * key, so the last one's values are what running them in order leaves.
 *
 * <p>The statement must affect one row per (distinct) entry; otherwise it throws {@link StopApply},
 * which in deferred mode makes the applier replay the group in exact mode, where the row path finds
 * and attributes the conflict. Not thread-safe; used by one {@link ChangeWriter}.
 */
final class ArrayBatch {
  /** Rows of one multi-row insert, and the values' bytes after which it ends (below MariaDB's 16 MiB packet). */
  private static final int ROWS_PER_STATEMENT = 1000;
  private static final long BYTES_PER_STATEMENT = 4L << 20;

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
    if (!set.arrays()) {
      return insertRows(writer, set, ops);
    }
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

  /**
   * Inserts as multi-row statements of at most {@link #ROWS_PER_STATEMENT} rows and about
   * {@link #BYTES_PER_STATEMENT} bytes of values (a target without arrays); false for other changes.
   * An existing key fails the statement with a constraint error: the applier replays the group in
   * exact mode, row by row, where it is found and named.
   */
  private static boolean insertRows(ChangeWriter writer, SetStatements set, List<RowOp> ops)
      throws SQLException, StopApply {
    RowOp first = ops.getFirst();
    TableInfo table = first.table();
    if (!(first.change() instanceof Change.Insert) || table.deferrableKey()) {
      return false;
    }
    // A row statement may bind the key again after the row (MariaDB's NOT EXISTS): only the row goes in.
    int extra = writer.dialect.syntax().insertBindsKeyAgain(table) ? table.primaryKey().size() : 0;
    List<Column> columns = first.types().subList(0, first.types().size() - extra);
    List<String> names = names(columns);
    int from = 0;
    while (from < ops.size()) {
      int to = from;
      long bytes = 0;
      while (to < ops.size() && to - from < ROWS_PER_STATEMENT && (to == from || bytes < BYTES_PER_STATEMENT)) {
        bytes += approximateBytes(ops.get(to).params());
        to++;
      }
      String sql = set.insertRows(table, names, to - from);
      writer.running(table.source(), sql, names);
      PreparedStatement ps = writer.cache().get(sql);
      int index = 1;
      for (RowOp row : ops.subList(from, to)) {
        for (int col = 0; col < columns.size(); col++) {
          writer.dialect.values().bind(ps, index++, row.params().get(col), columns.get(col));
        }
      }
      int affected = ps.executeUpdate();
      if (affected != to - from) {
        throw new StopApply(writer.side(), "a multi-row insert into " + table.sqlName() + " affected " + affected
            + " of " + (to - from) + " rows; replaying the group in exact mode", table.source(), null);
      }
      from = to;
    }
    return true;
  }

  private static long approximateBytes(List<Value> values) {
    long n = 0;
    for (Value v : values) {
      n += switch (v) {
        case Value.Text t -> t.value().length();
        case Value.Bytes b -> 2L * b.value().length;
        default -> 8;
      };
    }
    return n;
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
