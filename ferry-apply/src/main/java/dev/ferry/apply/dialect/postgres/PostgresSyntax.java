package dev.ferry.apply.dialect.postgres;

import dev.ferry.apply.dialect.SqlSyntax;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.TableId;

/** PostgreSQL's spelling: schema-qualified names, {@code ctid}, identity columns, deferrable keys. Stateless. */
final class PostgresSyntax implements SqlSyntax {
  static final PostgresSyntax INSTANCE = new PostgresSyntax();

  /**
   * SQLite's one schema, {@code main}, is a source's default schema: its tables land in the
   * target's default schema (the session's {@code search_path}, normally {@code public}), just as
   * the SQLite dialect puts PostgreSQL's {@code public} tables into {@code main}.
   */
  static final String SQLITE_DEFAULT_SCHEMA = "main";

  private PostgresSyntax() {
  }

  /** The source's values go into identity columns too, also {@code GENERATED ALWAYS} ones. */
  @Override
  public String overridingSystemValue() {
    return " OVERRIDING SYSTEM VALUE";
  }

  @Override
  public String tableName(TableId table) {
    boolean plain = table.schema().isEmpty() || table.schema().equals(SQLITE_DEFAULT_SCHEMA);
    return plain ? quote(table.name()) : quote(table.schema()) + "." + quote(table.name());
  }

  /**
   * A deferrable primary key cannot be an {@code ON CONFLICT} arbiter (PostgreSQL refuses the
   * statement): the row is inserted unless its key is found, with the key values bound again.
   */
  @Override
  public String insertUnlessExists(TableInfo table, String columns, String parameters) {
    if (!table.deferrableKey()) {
      return SqlSyntax.super.insertUnlessExists(table, columns, parameters);
    }
    StringBuilder where = new StringBuilder();
    for (String k : table.primaryKey()) {
      where.append(where.isEmpty() ? "" : " AND ").append(quote(k)).append(" = ?");
    }
    return "INSERT INTO " + table.sqlName() + " (" + columns + ")" + overridingSystemValue() + " SELECT " + parameters
        + " WHERE NOT EXISTS (SELECT 1"
        + " FROM " + table.sqlName() + " WHERE " + where + ")";
  }

  @Override
  public String rowLocator() {
    return "ctid";
  }

  @Override
  public String sameValue(String quotedColumn, TableInfo.TargetColumn column) {
    // Compare text forms of values of the column's own type: every type has one (json has no '=').
    return quotedColumn + "::text IS NOT DISTINCT FROM CAST(? AS " + column.sqlType() + ")::text";
  }
}
