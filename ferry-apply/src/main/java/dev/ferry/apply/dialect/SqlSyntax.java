package dev.ferry.apply.dialect;

import dev.ferry.journal.model.TableId;
import java.util.Collections;
import java.util.List;

/**
 * How a target spells identifiers and the statements that differ between databases: quoting,
 * table names, the row locator of tables without a key, insert-unless-exists and upsert. The
 * defaults are standard SQL with {@code ON CONFLICT} (PostgreSQL and SQLite share them); a target
 * that differs overrides them. Stateless and thread-safe.
 */
public interface SqlSyntax {
  /**
   * Quotes an identifier from the source: whatever it holds (quotes, spaces, mixed case,
   * unicode) comes out as one identifier, never as SQL.
   */
  default String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains a NUL character: '"
          + identifier.replace('\0', '?') + "'");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The target table's name as quoted SQL. */
  String tableName(TableId table);

  /** A pseudo-column naming one physical row ({@code ctid}, {@code rowid}) for tables without a key. */
  String rowLocator();

  /**
   * The clause that makes an UPDATE or DELETE touch exactly one of the rows matching
   * {@code condition}, for tables without a key. A MariaDB dialect would return
   * {@code WHERE condition LIMIT 1}.
   */
  default String oneRowWhere(String table, String condition) {
    return " WHERE " + rowLocator() + " = (SELECT " + rowLocator() + " FROM " + table + " WHERE " + condition
        + " LIMIT 1)";
  }

  /**
   * An INSERT that affects 0 rows instead of failing when the row's key exists (MariaDB: INSERT
   * IGNORE, which would also need its warnings checked). The primary key is named as the arbiter
   * when there is one: a clash on another unique constraint stays an error (named as a conflict by
   * the writer), and PostgreSQL refuses deferrable constraints as arbiters. A dialect may need the
   * key values bound again after the row's ({@link #insertBindsKeyAgain}).
   */
  default String insertUnlessExists(TableInfo table, String columns, String parameters) {
    return insertUnlessExists(table.sqlName(), columns, parameters, keyList(table.primaryKey()));
  }

  /** Whether {@link #insertUnlessExists(TableInfo, String, String)} takes the key values again after the row. */
  default boolean insertBindsKeyAgain(TableInfo table) {
    return table.deferrableKey();
  }

  /** The same for a table of Ferry's own, whose {@code key} (quoted, comma-separated) is never deferrable. */
  default String insertUnlessExists(String table, String columns, String parameters, String key) {
    return "INSERT INTO " + table + " (" + columns + ")" + overridingSystemValue() + " VALUES (" + parameters
        + ") ON CONFLICT"
        + (key.isEmpty() ? "" : " (" + key + ")") + " DO NOTHING";
  }

  /**
   * What follows an INSERT's column list so that the source's values are written into identity
   * columns the target would fill itself ({@code GENERATED ALWAYS}); empty where there are none.
   */
  default String overridingSystemValue() {
    return "";
  }

  /**
   * Creates a temporary table of this session as the rows of {@code select} (in the caller's
   * transaction: a target whose DDL commits on its own must use a form that does not).
   */
  default String createTempTableAs(String name, String select) {
    return "CREATE TEMP TABLE " + name + " AS " + select;
  }

  /** Drops a temporary table made by {@link #createTempTableAs}. */
  default String dropTempTable(String name) {
    return "DROP TABLE " + name;
  }

  /** The quoted, comma-separated list of {@code key}'s columns. */
  default String keyList(List<String> key) {
    StringBuilder out = new StringBuilder();
    for (String k : key) {
      out.append(out.isEmpty() ? "" : ", ").append(quote(k));
    }
    return out.toString();
  }

  /** An upsert keyed by {@code key}, setting every other column from the inserted values. */
  default String upsert(String table, List<String> columns, String key) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (")
        .append(String.join(", ", columns)).append(")").append(overridingSystemValue()).append(" VALUES (")
        .append(String.join(", ", Collections.nCopies(columns.size(), "?")))
        .append(") ON CONFLICT (").append(key).append(") DO UPDATE SET ");
    boolean first = true;
    for (String c : columns) {
      if (!c.equals(key)) {
        sql.append(first ? "" : ", ").append(c).append(" = excluded.").append(c);
        first = false;
      }
    }
    return sql.toString();
  }

  /**
   * A condition true when the target column equals the bound parameter, NULL equal to NULL, and
   * usable for every type (PostgreSQL's json has no {@code =}).
   */
  String sameValue(String quotedColumn, TableInfo.TargetColumn column);
}
