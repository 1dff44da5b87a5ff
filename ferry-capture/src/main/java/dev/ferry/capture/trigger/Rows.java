package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.List;

/** Builds journal changes from recorded row images. Stateless. */
final class Rows {
  private Rows() {}

  /** Every change carries the whole old row ({@code OldImage.FULL}): triggers see all of it. */
  static Change change(TableId table, List<Column> cols, String op, List<Value> old, List<Value> row, long id) {
    return switch (op) {
      case "I" -> new Change.Insert(table, cols, row);
      case "U" -> new Change.Update(table, cols, Change.OldImage.FULL, old, row);
      case "D" -> new Change.Delete(table, cols, Change.OldImage.FULL, old);
      default -> throw new IllegalStateException("change " + id + " of " + table + " has unknown operation '" + op + "'");
    };
  }

  /** {@code values} (aligned with {@code from}) re-aligned with {@code to}; columns not in {@code from} are NULL. */
  static List<Value> realign(List<Column> from, List<Value> values, List<Column> to) {
    List<Value> out = new ArrayList<>(to.size());
    for (Column c : to) {
      int at = indexOf(from, c.name());
      out.add(at < 0 || values.isEmpty() ? Value.NULL : values.get(at));
    }
    return out;
  }

  /** {@code values} with every column outside {@code table}'s primary key set to NULL (a KEY old image). */
  static List<Value> keyOnly(SqliteTable table, List<Value> values) {
    List<Value> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      out.add(table.primaryKey().contains(table.columns().get(i).name()) ? values.get(i) : Value.NULL);
    }
    return out;
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
