package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * MariaDB has no arrays: a deferred batch of inserts into one table runs as one multi-row
 * {@code INSERT … VALUES (…), (…)}, one parameter per value, bound as a row statement binds it.
 * A key that exists fails the statement with a duplicate-key error (MariaDB rolls back that
 * statement only), on which the applier replays the group row by row, where the row path finds
 * the existing row and names the conflict. Not {@code INSERT IGNORE}, which would turn other errors
 * into warnings. Updates and deletes stay row statements. Stateless.
 */
final class MariaDbSetStatements implements SetStatements {
  static final MariaDbSetStatements INSTANCE = new MariaDbSetStatements();

  private MariaDbSetStatements() {
  }

  @Override
  public boolean arrays() {
    return false;
  }

  @Override
  public String insertRows(TableInfo table, List<String> columns, int rows) {
    String names = columns.stream().map(MariaDbSyntax.INSTANCE::quote).collect(Collectors.joining(", "));
    String row = "(" + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
    StringBuilder sql = new StringBuilder(32 + names.length() + rows * (row.length() + 2));
    sql.append("INSERT INTO ").append(table.sqlName()).append(" (").append(names).append(") VALUES ");
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(row);
    }
    return sql.toString();
  }

  @Override
  public String insert(TableInfo table, List<String> columns) {
    throw new UnsupportedOperationException("MariaDB has no arrays: insertRows");
  }

  @Override
  public String update(TableInfo table, List<String> set, List<String> key) {
    throw new UnsupportedOperationException("MariaDB has no arrays: updates run as row statements");
  }

  @Override
  public String delete(TableInfo table, List<String> key) {
    throw new UnsupportedOperationException("MariaDB has no arrays: deletes run as row statements");
  }

  @Override
  public void bindColumn(PreparedStatement ps, int index, List<Value> values) {
    throw new UnsupportedOperationException("MariaDB has no arrays");
  }

  @Override
  public String keyText(Value value) {
    throw new UnsupportedOperationException("MariaDB has no arrays");
  }
}
