package dev.ferry.apply.dialect.mariadb;

import dev.ferry.apply.dialect.SqlSyntax;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.TableId;
import java.util.Collections;
import java.util.List;

/**
 * MariaDB's spelling: identifiers in backticks, a source's default schema ({@code public},
 * SQLite's {@code main}, none) as the replica URL's database and any other schema as the MariaDB
 * database of that name, {@code INSERT … ON DUPLICATE KEY UPDATE} for upserts, and {@code LIMIT 1}
 * for the one row of a table without a key (MariaDB has no row locator). Stateless.
 */
final class MariaDbSyntax implements SqlSyntax {
  static final MariaDbSyntax INSTANCE = new MariaDbSyntax();

  private MariaDbSyntax() {
  }

  @Override
  public String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains a NUL character: '"
          + identifier.replace('\0', '?') + "'");
    }
    return '`' + identifier.replace("`", "``") + '`';
  }

  /** Whether {@code schema} is a source's default schema, which maps to the replica URL's database. */
  static boolean isDefaultSchema(String schema) {
    return schema.isEmpty() || schema.equals("public") || schema.equals("main");
  }

  @Override
  public String tableName(TableId table) {
    return isDefaultSchema(table.schema()) ? quote(table.name()) : quote(table.schema()) + "." + quote(table.name());
  }

  /** Never asked: {@link #oneRowWhere} picks the one row with {@code LIMIT 1} instead. */
  @Override
  public String rowLocator() {
    throw new IllegalStateException("MariaDB has no row locator: a table without a key is updated with LIMIT 1");
  }

  @Override
  public String oneRowWhere(String table, String condition) {
    return " WHERE " + condition + " LIMIT 1";
  }

  /**
   * The row is inserted unless its primary key is found, with the key values bound again: MariaDB's
   * {@code INSERT IGNORE} would also turn other errors (a bad value, another unique key) into
   * warnings, and {@code ON DUPLICATE KEY UPDATE} reports a found row as affected.
   */
  @Override
  public String insertUnlessExists(TableInfo table, String columns, String parameters) {
    if (table.keyless()) {
      return "INSERT INTO " + table.sqlName() + " (" + columns + ") VALUES (" + parameters + ")";
    }
    StringBuilder where = new StringBuilder();
    for (String k : table.primaryKey()) {
      where.append(where.isEmpty() ? "" : " AND ").append(quote(k)).append(" = ?");
    }
    return "INSERT INTO " + table.sqlName() + " (" + columns + ") SELECT " + parameters
        + " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM " + table.sqlName() + " WHERE " + where + ")";
  }

  @Override
  public boolean insertBindsKeyAgain(TableInfo table) {
    return !table.keyless();
  }

  /** For Ferry's own tables, whose callers do not read the count: an existing row is left as it is. */
  @Override
  public String insertUnlessExists(String table, String columns, String parameters, String key) {
    String first = key.split(",")[0].strip();
    return "INSERT INTO " + table + " (" + columns + ") VALUES (" + parameters + ") ON DUPLICATE KEY UPDATE "
        + first + " = " + first;
  }

  @Override
  public String upsert(String table, List<String> columns, String key) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (")
        .append(String.join(", ", columns)).append(") VALUES (")
        .append(String.join(", ", Collections.nCopies(columns.size(), "?")))
        .append(") ON DUPLICATE KEY UPDATE ");
    boolean first = true;
    for (String c : columns) {
      if (!c.equals(key)) {
        sql.append(first ? "" : ", ").append(c).append(" = VALUES(").append(c).append(")");
        first = false;
      }
    }
    return sql.toString();
  }

  /** {@code TEMPORARY}: MariaDB commits other DDL on its own, but not that of temporary tables. */
  @Override
  public String createTempTableAs(String name, String select) {
    return "CREATE TEMPORARY TABLE " + name + " AS " + select;
  }

  @Override
  public String dropTempTable(String name) {
    return "DROP TEMPORARY TABLE " + name;
  }

  /** MariaDB's NULL-safe equality. */
  @Override
  public String sameValue(String quotedColumn, TableInfo.TargetColumn column) {
    return quotedColumn + " <=> ?";
  }
}
