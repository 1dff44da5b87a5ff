package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.util.List;

/** One row statement planned for {@code change}: its SQL and its parameters with their source columns. */
record RowOp(Change change, TableInfo table, String sql, List<Column> types, List<Value> params) {
}
