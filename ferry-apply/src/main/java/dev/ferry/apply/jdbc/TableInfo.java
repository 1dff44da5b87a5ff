package dev.ferry.apply.jdbc;

import dev.ferry.journal.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target table as its own catalog describes it: the quoted name to use in SQL, its columns with
 * their target type (as SQL text from the target catalog, trusted), and its primary key. Immutable.
 */
record TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey,
    Map<String, TargetColumn> byName) {
  /**
   * A column of the target table; {@code sqlType} is the catalog's own spelling, safe to splice in
   * SQL. {@code generatedAlways}: a PostgreSQL {@code GENERATED ALWAYS AS IDENTITY} column, which
   * takes a value only from an INSERT with {@code OVERRIDING SYSTEM VALUE} and no UPDATE can set.
   */
  record TargetColumn(String name, String sqlType, boolean generatedAlways) {
    TargetColumn(String name, String sqlType) {
      this(name, sqlType, false);
    }
  }

  TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey) {
    this(source, sqlName, List.copyOf(columns), List.copyOf(primaryKey), index(columns));
  }

  private static Map<String, TargetColumn> index(List<TargetColumn> columns) {
    Map<String, TargetColumn> map = new LinkedHashMap<>();
    columns.forEach(c -> map.put(c.name(), c));
    return Map.copyOf(map);
  }

  boolean keyless() {
    return primaryKey.isEmpty();
  }

  Optional<TargetColumn> column(String name) {
    return Optional.ofNullable(byName.get(name));
  }
}
