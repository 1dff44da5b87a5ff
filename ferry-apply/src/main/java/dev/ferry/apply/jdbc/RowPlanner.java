package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the statement of one row change on a described target table: which columns an insert
 * sets, what an update sets and how it finds its row (by primary key, comparing the old row when
 * the source sent it whole), and what a delete finds. Checks that every column exists on the
 * target and names the missing one. Holds no state; the gtid only names the transaction in errors.
 */
final class RowPlanner {
  private final Side side;
  private final Dialect dialect;
  private final RowSql sql;

  RowPlanner(Side side, Dialect dialect, RowSql sql) {
    this.side = side;
    this.dialect = dialect;
    this.sql = sql;
  }

  /** How a row is found: key columns and values, plus old columns compared when the full old row is known. */
  record Locator(List<String> key, List<String> compared, List<Column> types, List<Value> params) {
  }

  RowOp insert(Gtid gtid, TableInfo table, Change.Insert insert) throws StopApply {
    List<String> names = new ArrayList<>();
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    for (int i = 0; i < insert.columns().size(); i++) {
      if (insert.row().get(i) != Value.UNCHANGED) {
        Column column = insert.columns().get(i);
        names.add(targetColumn(gtid, table, column.name()));
        types.add(column);
        params.add(insert.row().get(i));
      }
    }
    return insertRow(insert, table, insert.columns(), insert.row(), names, types, params);
  }

  /** The insert of {@code names} with their {@code params}, plus the key values again where the dialect asks. */
  RowOp insertRow(Change change, TableInfo table, List<Column> columns, List<Value> row, List<String> names,
      List<Column> types, List<Value> params) {
    String statement = sql.insert(table, names);
    if (dialect.syntax().insertBindsKeyAgain(table)) {
      types = new ArrayList<>(types);
      params = new ArrayList<>(params);
      for (String key : table.primaryKey()) {
        int at = indexOf(columns, key);
        types.add(columns.get(at));
        params.add(row.get(at));
      }
    }
    return new RowOp(change, table, statement, types, params);
  }

  RowOp update(Gtid gtid, TableInfo table, Change.Update update) throws StopApply {
    List<String> set = new ArrayList<>();
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    List<Value> locating = update.oldImage() == Change.OldImage.NONE ? update.row() : update.old();
    for (int i = 0; i < update.columns().size(); i++) {
      if (update.row().get(i) != Value.UNCHANGED && !unchangedGeneratedAlways(table, update, locating, i)) {
        Column column = update.columns().get(i);
        set.add(targetColumn(gtid, table, column.name()));
        types.add(column);
        params.add(update.row().get(i));
      }
    }
    Locator where = locate(gtid, table, update.columns(), update.oldImage(), locating, "UPDATE");
    types.addAll(where.types());
    params.addAll(where.params());
    return new RowOp(update, table, sql.update(table, set, where.key(), where.compared()), types, params);
  }

  /**
   * A {@code GENERATED ALWAYS} identity column can only be updated to DEFAULT: one whose value the
   * update keeps is left out of the SET list (the row is located by it anyway).
   */
  private static boolean unchangedGeneratedAlways(TableInfo table, Change.Update update, List<Value> locating,
      int i) {
    boolean always = table.column(update.columns().get(i).name()).map(TableInfo.TargetColumn::generatedAlways)
        .orElse(false);
    return always && i < locating.size() && update.row().get(i).equals(locating.get(i));
  }

  RowOp delete(Gtid gtid, TableInfo table, Change.Delete delete) throws StopApply {
    Locator where = locate(gtid, table, delete.columns(), delete.oldImage(), delete.old(), "DELETE");
    return new RowOp(delete, table, sql.delete(table, where.key(), where.compared()), where.types(), where.params());
  }

  Locator locate(Gtid gtid, TableInfo table, List<Column> columns, Change.OldImage image, List<Value> values,
      String operation) throws StopApply {
    List<String> key = new ArrayList<>();
    List<String> compared = new ArrayList<>();
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    if (table.keyless() && image != Change.OldImage.FULL) {
      throw stop(gtid, table.source(), "table has no primary key on the target and the source sent no full old row"
          + " for " + operation + " (set REPLICA IDENTITY FULL on the source)");
    }
    for (String name : table.primaryKey()) {
      int at = indexOf(columns, name);
      if (at < 0 || values.get(at) == Value.UNCHANGED || values.get(at) == Value.NULL) {
        throw stop(gtid, table.source(), "the " + operation + " does not carry primary key column " + name
            + " of the target");
      }
      key.add(name);
      types.add(columns.get(at));
      params.add(values.get(at));
    }
    if (image == Change.OldImage.FULL) {
      for (int i = 0; i < columns.size(); i++) {
        String name = columns.get(i).name();
        if (values.get(i) != Value.UNCHANGED && !key.contains(name)) {
          compared.add(targetColumn(gtid, table, name));
          types.add(columns.get(i));
          params.add(values.get(i));
        }
      }
    }
    return new Locator(key, compared, types, params);
  }

  /** {@code name}, if the target table has that column. */
  String targetColumn(Gtid gtid, TableInfo table, String name) throws StopApply {
    if (table.column(name).isEmpty()) {
      throw stop(gtid, table.source(), "column " + name + " does not exist on the target table " + table.sqlName());
    }
    return name;
  }

  StopApply stop(Gtid gtid, TableId table, String what) {
    return new StopApply(side, "cannot apply " + gtid + " to " + table + ": " + what, table,
        null);
  }

  static List<String> names(List<Column> columns) {
    return columns.stream().map(Column::name).toList();
  }

  static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
