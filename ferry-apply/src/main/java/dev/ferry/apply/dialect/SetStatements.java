package dev.ferry.apply.dialect;

import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A run of one row statement as a single set-based statement (an optional part of a
 * {@link Dialect}): each column's values travel as one parameter, one value per row, read by the
 * target column's own type. The statements locate rows by the table's primary key; the caller
 * checks that one row was affected per entry. A target without arrays runs multi-row inserts instead
 * ({@link #arrays()}). Stateless and thread-safe.
 */
public interface SetStatements {
  /** Inserts the rows, skipping those whose primary key exists (the caller counts them). */
  String insert(TableInfo table, List<String> columns);

  /**
   * Sets {@code set} of the rows located by {@code key}; the parameters are the {@code set}
   * columns' values, then the key's.
   */
  String update(TableInfo table, List<String> set, List<String> key);

  /** Deletes the rows located by {@code key}, whose values are the parameters. */
  String delete(TableInfo table, List<String> key);

  /** Binds one column's values, one per row, as parameter {@code index}. */
  void bindColumn(PreparedStatement ps, int index, List<Value> values) throws SQLException;

  /** What the target reads {@code value} as, so that entries of one key are told by it; null for NULL. */
  String keyText(Value value);

  /**
   * Whether each column's values travel as one array parameter ({@link #bindColumn}); false for a
   * target without arrays, which runs inserts only, as multi-row statements ({@link #insertRows}).
   */
  default boolean arrays() {
    return true;
  }

  /**
   * Inserts {@code rows} rows of {@code columns} in one statement, one parameter per value, row after
   * row, failing on an existing key (a constraint error); only where {@link #arrays()} is false.
   */
  default String insertRows(TableInfo table, List<String> columns, int rows) {
    throw new UnsupportedOperationException("this target binds columns as arrays");
  }
}
