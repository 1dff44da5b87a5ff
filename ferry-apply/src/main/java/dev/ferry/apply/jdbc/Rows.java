package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/** Renders rows and keys for messages and the conflicts table: {@code (id=42, name=x)}. */
final class Rows {
  private Rows() {
  }

  static String render(List<Column> columns, List<Value> values) {
    StringBuilder out = new StringBuilder("(");
    for (int i = 0; i < columns.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(columns.get(i).name()).append('=').append(render(values.get(i)));
    }
    return out.append(')').toString();
  }

  static String render(Value value) {
    return switch (value) {
      case Value.Null n -> "NULL";
      case Value.Unchanged u -> "<unchanged>";
      case Value.Text t -> t.value();
      case Value.Int64 i -> Long.toString(i.value());
      case Value.Float64 f -> Double.toString(f.value());
      case Value.Bytes b -> "\\x" + HexFormat.of().formatHex(b.value());
    };
  }

  static String render(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    StringBuilder out = new StringBuilder("(");
    for (int i = 1; i <= md.getColumnCount(); i++) {
      String v = rs.getString(i);
      out.append(i == 1 ? "" : ", ").append(md.getColumnLabel(i)).append('=').append(v == null ? "NULL" : v);
    }
    return out.append(')').toString();
  }
}
