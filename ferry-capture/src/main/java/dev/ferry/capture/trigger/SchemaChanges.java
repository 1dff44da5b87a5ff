package dev.ferry.capture.trigger;

import static dev.ferry.capture.trigger.SqliteCatalog.quote;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL that turns a captured table's recorded column list into its current one: added columns
 * (with type, NOT NULL and DEFAULT), renamed columns (same position, new name) and dropped
 * columns. Stateless.
 */
final class SchemaChanges {
  private SchemaChanges() {}

  static List<String> alterations(Connection c, String table, List<String> before, List<String> after)
      throws SQLException {
    List<String> ddl = new ArrayList<>();
    String t = quote(table);
    if (before.size() == after.size()) {
      for (int i = 0; i < before.size(); i++) {
        if (!before.get(i).equals(after.get(i))) {
          ddl.add("ALTER TABLE " + t + " RENAME COLUMN " + quote(before.get(i)) + " TO " + quote(after.get(i)));
        }
      }
      return ddl;
    }
    for (String gone : before) {
      if (!after.contains(gone)) {
        ddl.add("ALTER TABLE " + t + " DROP COLUMN " + quote(gone));
      }
    }
    for (String added : after) {
      if (!before.contains(added)) {
        ddl.add("ALTER TABLE " + t + " ADD COLUMN " + columnDefinition(c, table, added));
      }
    }
    return ddl;
  }

  private static String columnDefinition(Connection c, String table, String column) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT type, \"notnull\", dflt_value FROM pragma_table_info(?) WHERE name = ?")) {
      ps.setString(1, table);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("column " + column + " of " + table + " vanished while reading the schema");
        }
        StringBuilder def = new StringBuilder(quote(column));
        String type = rs.getString(1);
        if (type != null && !type.isEmpty()) {
          def.append(' ').append(type);
        }
        if (rs.getInt(2) != 0) {
          def.append(" NOT NULL");
        }
        if (rs.getString(3) != null) {
          def.append(" DEFAULT ").append(rs.getString(3));
        }
        return def.toString();
      }
    }
  }
}
