package dev.ferry.capture.trigger;

import static dev.ferry.capture.trigger.SqliteCatalog.literal;
import static dev.ferry.capture.trigger.SqliteCatalog.quote;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of Ferry's objects in a SQLite source: the change table, the bookkeeping tables and the
 * three capture triggers of a table.
 *
 * <p>A trigger records each row image as a JSON array of arrays of (storage class, value) pairs,
 * at most {@value #PAIRS_PER_ARRAY} columns per inner array (SQLite caps a function's arguments).
 * Values keep their storage class exactly: integers as decimal text, reals with 17 significant
 * digits (enough to round-trip any double), text as is, blobs as hex. Each change row also records
 * {@code PRAGMA schema_version} at the moment it was written, so capture can tell rows written
 * before a schema change from rows written after it, and the row's rowid (none for
 * {@code WITHOUT ROWID} tables), so capture can read a row again after its table changed.
 */
final class TriggerSql {
  static final int PAIRS_PER_ARRAY = 40;

  static final List<String> CREATE_TABLES = List.of(
      "CREATE TABLE IF NOT EXISTS _ferry_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL,"
          + " op TEXT NOT NULL, sv INTEGER NOT NULL, rid INTEGER, old_row TEXT, new_row TEXT)",
      "CREATE TABLE IF NOT EXISTS _ferry_tables (tbl TEXT PRIMARY KEY, columns TEXT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS _ferry_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");

  static final List<String> DROP_TABLES = List.of(
      "DROP TABLE IF EXISTS _ferry_changes", "DROP TABLE IF EXISTS _ferry_tables", "DROP TABLE IF EXISTS _ferry_state");

  private TriggerSql() {}

  static List<String> triggerNames(String table) {
    return List.of("_ferry_ins_" + table, "_ferry_upd_" + table, "_ferry_del_" + table);
  }

  static List<String> dropTriggers(String table) {
    return triggerNames(table).stream().map(t -> "DROP TRIGGER IF EXISTS " + quote(t)).toList();
  }

  static List<String> createTriggers(SqliteTable table) {
    List<String> names = triggerNames(table.name());
    String on = quote(table.name());
    String tbl = literal(table.name());
    String sv = "(SELECT schema_version FROM pragma_schema_version())";
    String newRid = table.withoutRowid() ? "NULL" : "NEW.rowid";
    String oldRid = table.withoutRowid() ? "NULL" : "OLD.rowid";
    return List.of(
        "CREATE TRIGGER " + quote(names.get(0)) + " AFTER INSERT ON " + on + " BEGIN"
            + " INSERT INTO _ferry_changes(tbl, op, sv, rid, new_row) VALUES (" + tbl + ", 'I', " + sv + ", "
            + newRid + ", " + image(table, "NEW") + "); END",
        "CREATE TRIGGER " + quote(names.get(1)) + " AFTER UPDATE ON " + on + " BEGIN"
            + " INSERT INTO _ferry_changes(tbl, op, sv, rid, old_row, new_row) VALUES (" + tbl + ", 'U', " + sv
            + ", " + newRid + ", " + image(table, "OLD") + ", " + image(table, "NEW") + "); END",
        "CREATE TRIGGER " + quote(names.get(2)) + " AFTER DELETE ON " + on + " BEGIN"
            + " INSERT INTO _ferry_changes(tbl, op, sv, rid, old_row) VALUES (" + tbl + ", 'D', " + sv + ", "
            + oldRid + ", " + image(table, "OLD") + "); END");
  }

  /** A query reading rows of {@code table} as the triggers' row images, with {@code where} appended. */
  static String selectImages(SqliteTable table, String where) {
    return "SELECT " + image(table, quote(table.name())) + " FROM " + quote(table.name()) + where;
  }

  private static String image(SqliteTable table, String row) {
    List<String> arrays = new ArrayList<>();
    List<String> names = table.columnNames();
    for (int from = 0; from < names.size(); from += PAIRS_PER_ARRAY) {
      List<String> pairs = new ArrayList<>();
      for (String column : names.subList(from, Math.min(names.size(), from + PAIRS_PER_ARRAY))) {
        String v = row + "." + quote(column);
        pairs.add("typeof(" + v + "), CASE typeof(" + v + ") WHEN 'blob' THEN hex(" + v + ") WHEN 'real' THEN"
            + " printf('%!.17g', " + v + ") ELSE CAST(" + v + " AS TEXT) END");
      }
      arrays.add("json_array(" + String.join(", ", pairs) + ")");
    }
    return "json_array(" + String.join(", ", arrays) + ")";
  }
}
