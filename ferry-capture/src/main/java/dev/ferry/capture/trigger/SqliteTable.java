package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import java.util.List;

/**
 * A captured SQLite table as the catalog describes it.
 *
 * @param name table name, exactly as declared
 * @param columns the stored (not generated) columns, in table order
 * @param primaryKey names of the primary-key columns, in key order; empty for a table keyed by
 *     its rowid only
 * @param withoutRowid whether it is a {@code WITHOUT ROWID} table
 * @param sql its {@code CREATE TABLE} statement from {@code sqlite_schema}
 */
record SqliteTable(String name, List<Column> columns, List<String> primaryKey, boolean withoutRowid, String sql) {
  SqliteTable {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }

  TableId id() {
    return new TableId("main", name);
  }

  List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }
}
