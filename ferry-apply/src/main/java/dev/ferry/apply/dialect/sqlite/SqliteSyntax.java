package dev.ferry.apply.dialect.sqlite;

import dev.ferry.apply.dialect.SqlSyntax;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.TableId;

/**
 * SQLite's spelling. SQLite has no schemas: {@code public.t} (or {@code main.t}, or a table without
 * schema) maps to {@code "t"}, any other {@code s.t} to the single identifier {@code "s.t"}. Stateless.
 */
final class SqliteSyntax implements SqlSyntax {
  static final SqliteSyntax INSTANCE = new SqliteSyntax();

  private SqliteSyntax() {
  }

  @Override
  public String tableName(TableId table) {
    String schema = table.schema();
    boolean plain = schema.isEmpty() || schema.equals("public") || schema.equals("main");
    return quote(plain ? table.name() : schema + "." + table.name());
  }

  @Override
  public String rowLocator() {
    return "rowid";
  }

  @Override
  public String sameValue(String quotedColumn, TableInfo.TargetColumn column) {
    return quotedColumn + " IS ?";
  }
}
