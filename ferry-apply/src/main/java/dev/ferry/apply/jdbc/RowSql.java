package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import java.util.List;

/**
 * Builds the row statements. Every identifier goes through {@link Dialect#quote}; every value is
 * a parameter. The text depends only on (table, operation, column sets), so it doubles as the
 * statement cache key.
 */
final class RowSql {
  private final Dialect dialect;

  RowSql(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * An INSERT after which a row that exists affects 0 rows instead of failing; its parameters are
   * the row's values, then the key's again where {@link Dialect#insertBindsKeyAgain} says so.
   */
  String insert(TableInfo table, List<String> columns) {
    StringBuilder names = new StringBuilder();
    appendList(names, columns, ", ", "");
    String parameters = String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
    return dialect.syntax().insertUnlessExists(table, names.toString(), parameters);
  }

  /**
   * {@code UPDATE … SET set WHERE}: by key columns (with the other old columns compared when
   * {@code compared} is not empty), or, for a table without a key, the one row a row locator
   * picks among those equal to the old row.
   */
  String update(TableInfo table, List<String> set, List<String> key, List<String> compared) {
    StringBuilder sql = new StringBuilder("UPDATE ").append(table.sqlName()).append(" SET ");
    appendList(sql, set, ", ", " = ?");
    return where(sql, table, key, compared).toString();
  }

  String delete(TableInfo table, List<String> key, List<String> compared) {
    return where(new StringBuilder("DELETE FROM ").append(table.sqlName()), table, key, compared).toString();
  }

  String selectByKey(TableInfo table, List<String> key) {
    StringBuilder sql = new StringBuilder("SELECT * FROM ").append(table.sqlName()).append(" WHERE ");
    appendList(sql, key, " AND ", " = ?");
    return sql.toString();
  }

  private StringBuilder where(StringBuilder sql, TableInfo table, List<String> key, List<String> compared) {
    if (key.isEmpty()) {
      StringBuilder condition = new StringBuilder();
      appendCompared(condition, table, compared, true);
      return sql.append(dialect.syntax().oneRowWhere(table.sqlName(), condition.toString()));
    }
    sql.append(" WHERE ");
    appendList(sql, key, " AND ", " = ?");
    appendCompared(sql, table, compared, false);
    return sql;
  }

  private void appendCompared(StringBuilder sql, TableInfo table, List<String> compared, boolean first) {
    if (first && compared.isEmpty()) {
      sql.append("TRUE");
    }
    for (String name : compared) {
      sql.append(first ? "" : " AND ").append(dialect.syntax().sameValue(dialect.syntax().quote(name), table.byName().get(name)));
      first = false;
    }
  }

  private void appendList(StringBuilder sql, List<String> names, String separator, String suffix) {
    for (int i = 0; i < names.size(); i++) {
      sql.append(i == 0 ? "" : separator).append(dialect.syntax().quote(names.get(i))).append(suffix);
    }
  }
}
