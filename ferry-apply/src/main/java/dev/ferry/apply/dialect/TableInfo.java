package dev.ferry.apply.dialect;

import dev.ferry.journal.model.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target table as its own catalog describes it: the quoted name to use in SQL, its columns with
 * their target type (as SQL text from the target catalog, trusted), its primary key, whether that
 * key is {@code DEFERRABLE} (PostgreSQL refuses such a key as an {@code ON CONFLICT} arbiter), and
 * its other unique keys (plain columns, no predicate), which name a clash as a conflict; {@code target}
 * is the table as the target itself names it (PostgreSQL: its schema and name after resolving the
 * search path; MariaDB: its database and name), the same for every source name that reaches it;
 * {@code foreignKeys} are the table's foreign keys (none where the catalog does not say, SQLite).
 * Immutable.
 */
public record TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey,
    Map<String, TargetColumn> byName, boolean deferrableKey, List<UniqueKey> uniqueKeys, TableId target,
    List<ForeignKey> foreignKeys) {
  /**
   * A column of the target table; {@code sqlType} is the catalog's own spelling, safe to splice in
   * SQL. {@code generatedAlways}: a PostgreSQL {@code GENERATED ALWAYS AS IDENTITY} column, which
   * takes a value only from an INSERT with {@code OVERRIDING SYSTEM VALUE} and no UPDATE can set.
   */
  public record TargetColumn(String name, String sqlType, boolean generatedAlways) {
    public TargetColumn(String name, String sqlType) {
      this(name, sqlType, false);
    }
  }

  /** A unique constraint or index other than the primary key, by its name on the target. */
  public record UniqueKey(String name, List<String> columns) {
    public UniqueKey {
      columns = List.copyOf(columns);
    }
  }

  /**
   * A foreign key: {@code columns} of this table reference {@code parentColumns} (pairwise, in the
   * constraint's order) of {@code parent}, named as the target names it (its {@link #target()}).
   */
  public record ForeignKey(String name, List<String> columns, TableId parent, List<String> parentColumns) {
    public ForeignKey {
      columns = List.copyOf(columns);
      parentColumns = List.copyOf(parentColumns);
      if (columns.size() != parentColumns.size() || columns.isEmpty()) {
        throw new IllegalArgumentException("foreign key " + name + " pairs " + columns + " with " + parentColumns);
      }
    }
  }

  public TableInfo {
    foreignKeys = List.copyOf(foreignKeys);
  }

  public TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey) {
    this(source, sqlName, columns, primaryKey, false, List.of());
  }

  /** A table the target names as the source does, without foreign keys. */
  public TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey,
      boolean deferrableKey, List<UniqueKey> uniqueKeys) {
    this(source, sqlName, columns, primaryKey, deferrableKey, uniqueKeys, source, List.of());
  }

  public TableInfo(TableId source, String sqlName, List<TargetColumn> columns, List<String> primaryKey,
      boolean deferrableKey, List<UniqueKey> uniqueKeys, TableId target, List<ForeignKey> foreignKeys) {
    this(source, sqlName, List.copyOf(columns), List.copyOf(primaryKey), index(columns), deferrableKey,
        List.copyOf(uniqueKeys), target, foreignKeys);
  }

  /** The unique key whose columns are exactly {@code names} (in any order), if there is one. */
  public Optional<UniqueKey> uniqueKeyOn(List<String> names) {
    return uniqueKeys.stream().filter(k -> k.columns().size() == names.size() && k.columns().containsAll(names))
        .findFirst();
  }

  public Optional<UniqueKey> uniqueKey(String name) {
    return uniqueKeys.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  private static Map<String, TargetColumn> index(List<TargetColumn> columns) {
    Map<String, TargetColumn> map = new LinkedHashMap<>();
    columns.forEach(c -> map.put(c.name(), c));
    return Map.copyOf(map);
  }

  public boolean keyless() {
    return primaryKey.isEmpty();
  }

  public Optional<TargetColumn> column(String name) {
    return Optional.ofNullable(byName.get(name));
  }
}
