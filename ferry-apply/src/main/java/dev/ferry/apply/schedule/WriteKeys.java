package dev.ferry.apply.schedule;

import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a source transaction writes on the target, as the scheduler compares it: row keys (table,
 * key name, values) for the primary key, every other unique key and the parent rows its foreign
 * keys reference, whole tables where a row cannot
 * be named, or everything (a barrier). Two transactions whose write keys are {@linkplain
 * #conflictsWith disjoint} may run at once on separate connections and commit in either order with
 * the same final state.
 *
 * <p>The rules, conservative where the journal does not say enough:
 * <ul>
 *   <li>a barrier: DDL, TRUNCATE, a sequence change, a table the target does not have, a
 *       transaction of more than {@code maxChanges} row changes;
 *   <li>the whole table: any change of a table without a primary key; a change whose key columns
 *       are missing; an UPDATE or DELETE of a table with unique keys besides the primary key when
 *       the change does not carry the whole old row (the old unique values are unknown, and a
 *       later INSERT could reuse them);
 *   <li>otherwise the primary key's values (old and new for an UPDATE) and the values of every
 *       other unique key of the row;
 *   <li>and for each foreign key the target's catalog lists on the table, the parent row each row
 *       image references: the same row key the parent's own changes write (its primary key, or
 *       the unique key on exactly the referenced columns, values in that key's column order), so
 *       a child row and its parent's insert, key change or delete run one after the other. A
 *       reference that is NULL adds nothing. The whole parent table where the change does not say
 *       which parent it referenced (a DELETE or UPDATE whose old image lacks the key's columns, an
 *       UPDATE without an old image unless the key lies in the primary key) or the parent has no
 *       key on the referenced columns. A replica whose role may not set PostgreSQL's
 *       {@code session_replication_role} applies with foreign-key checks on, and a child row
 *       applied before its parent committed would be refused.
 * </ul>
 * Tables are named as the target names them ({@link TableInfo#target()}), so two source names of
 * one target table, and a foreign key's parent, meet. Immutable.
 *
 * @param barrier whether the transaction must run alone, after all before it and before all after it
 * @param tables tables written as a whole
 * @param rows row keys written
 */
public record WriteKeys(boolean barrier, Set<TableId> tables, Set<RowKey> rows) {
  /** Row changes above which a transaction runs alone. */
  public static final int DEFAULT_MAX_CHANGES = 10_000;
  /** A barrier's keys. */
  public static final WriteKeys BARRIER = new WriteKeys(true, Set.of(), Set.of());

  /** One target row by one of its unique keys. {@code key} is the constraint's name ({@code ""}: the primary key). */
  public record RowKey(TableId table, String key, List<Value> values) {
    public RowKey {
      values = List.copyOf(values);
    }
  }

  /** The target's tables as the scheduler needs them; not thread-safe unless said. */
  @FunctionalInterface
  public interface Catalog {
    /** The target's description of {@code table}; empty when the target has no such table. */
    Optional<TableInfo> describe(TableId table) throws java.sql.SQLException;
  }

  public WriteKeys {
    tables = Set.copyOf(tables);
    rows = Set.copyOf(rows);
  }

  /**
   * The write keys of {@code tx}; changes of tables {@code filter} leaves out write nothing.
   *
   * @throws java.sql.SQLException if the catalog cannot be read
   */
  public static WriteKeys of(Transaction tx, TableFilter filter, Catalog catalog, int maxChanges)
      throws java.sql.SQLException {
    if (tx.changes().size() > maxChanges) {
      return BARRIER;
    }
    Set<TableId> tables = new HashSet<>();
    Set<RowKey> rows = new HashSet<>();
    for (Change change : tx.changes()) {
      TableId table;
      switch (change) {
        case Change.Insert i -> table = i.table();
        case Change.Update u -> table = u.table();
        case Change.Delete d -> table = d.table();
        case Change.Message m -> {
          continue; // applies nothing to tables
        }
        case Change.Truncate t -> {
          return BARRIER;
        }
        case Change.Ddl ddl -> {
          return BARRIER;
        }
        case Change.SequenceAdvance s -> {
          return BARRIER;
        }
      }
      if (!filter.accepts(table)) {
        continue;
      }
      Optional<TableInfo> info = catalog.describe(table);
      if (info.isEmpty()) {
        return BARRIER; // the target lacks it: whatever happens (a conflict, a stop) happens alone
      }
      if (!addRows(change, info.get(), rows)) {
        tables.add(info.get().target());
      }
      addParents(change, info.get(), catalog, tables, rows);
    }
    rows.removeIf(r -> tables.contains(r.table()));
    return new WriteKeys(false, tables, rows);
  }

  /** Adds the row keys of {@code change}; false when only the whole table names what it writes. */
  private static boolean addRows(Change change, TableInfo table, Set<RowKey> rows) {
    if (table.keyless()) {
      return false;
    }
    boolean otherUniqueKeys = !table.uniqueKeys().isEmpty();
    return switch (change) {
      case Change.Insert i -> addRow(table, i.columns(), i.row(), rows);
      case Change.Update u -> {
        if (otherUniqueKeys && u.oldImage() != Change.OldImage.FULL) {
          yield false;
        }
        boolean newRow = addRow(table, u.columns(), u.row(), rows);
        boolean oldRow = u.oldImage() != Change.OldImage.NONE && addRow(table, u.columns(), u.old(), rows);
        // Without an old image the key did not change: the new row names it (or nothing does).
        yield u.oldImage() == Change.OldImage.NONE ? newRow : newRow || oldRow;
      }
      case Change.Delete d -> (!otherUniqueKeys || d.oldImage() == Change.OldImage.FULL)
          && addRow(table, d.columns(), d.old(), rows);
      default -> false;
    };
  }

  /**
   * Adds the primary key and every other unique key of one row image; false if a key's column is
   * missing or unchanged-and-unsent (TOAST), so the row cannot be named.
   */
  private static boolean addRow(TableInfo table, List<Column> columns, List<Value> values, Set<RowKey> rows) {
    List<RowKey> keys = new ArrayList<>();
    Optional<List<Value>> primary = valuesOf(table.primaryKey(), columns, values);
    if (primary.isEmpty()) {
      return false;
    }
    keys.add(new RowKey(table.target(), "", primary.get()));
    for (TableInfo.UniqueKey unique : table.uniqueKeys()) {
      Optional<List<Value>> key = valuesOf(unique.columns(), columns, values);
      if (key.isEmpty()) {
        return false;
      }
      keys.add(new RowKey(table.target(), unique.name(), key.get()));
    }
    rows.addAll(keys);
    return true;
  }

  /**
   * Adds, for each foreign key of {@code table}, the parent row each row image of {@code change}
   * references — the row key the parent's own changes write — or the whole parent table where the
   * image does not say which parent it references (an old image without the key's columns; an
   * UPDATE without an old image, whose old reference may differ from the new one) or the key is
   * not one the parent's catalog lists. A row whose key holds a NULL references nothing.
   */
  private static void addParents(Change change, TableInfo table, Catalog catalog, Set<TableId> tables,
      Set<RowKey> rows) throws java.sql.SQLException {
    for (TableInfo.ForeignKey fk : table.foreignKeys()) {
      boolean inPrimaryKey = table.primaryKey().containsAll(fk.columns());
      List<List<Value>> refs = new ArrayList<>();
      boolean unknown = false;
      switch (change) {
        case Change.Insert i -> unknown = !addRef(fk, i.columns(), i.row(), refs);
        case Change.Update u -> {
          unknown = !addRef(fk, u.columns(), u.row(), refs);
          if (u.oldImage() == Change.OldImage.FULL
              || (u.oldImage() == Change.OldImage.KEY && inPrimaryKey)) {
            unknown |= !addRef(fk, u.columns(), u.old(), refs);
          } else if (!inPrimaryKey) {
            unknown = true; // the old row's reference is not in the change
          }
        }
        case Change.Delete d -> unknown = !(d.oldImage() == Change.OldImage.FULL || inPrimaryKey)
            || !addRef(fk, d.columns(), d.old(), refs);
        default -> {
          continue;
        }
      }
      Optional<TableInfo> parent = unknown || refs.isEmpty() ? Optional.empty() : catalog.describe(fk.parent());
      Optional<ParentKey> key = parent.flatMap(p -> ParentKey.of(fk, p));
      if (unknown || (!refs.isEmpty() && key.isEmpty())) {
        tables.add(fk.parent());
        continue;
      }
      for (List<Value> ref : refs) {
        rows.add(new RowKey(parent.get().target(), key.get().name(), key.get().order(ref)));
      }
    }
  }

  /** Adds the values of {@code fk}'s columns in one row image; false if one is missing or unsent. */
  private static boolean addRef(TableInfo.ForeignKey fk, List<Column> columns, List<Value> values,
      List<List<Value>> refs) {
    Optional<List<Value>> ref = valuesOf(fk.columns(), columns, values);
    if (ref.isEmpty()) {
      return false;
    }
    if (ref.get().stream().noneMatch(v -> v instanceof Value.Null)) {
      refs.add(ref.get());
    }
    return true;
  }

  /**
   * The parent's key a foreign key references: its primary key ({@code ""}) or the unique key on
   * exactly the referenced columns, and where each of the key's columns is among them.
   */
  private record ParentKey(String name, int[] positions) {
    static Optional<ParentKey> of(TableInfo.ForeignKey fk, TableInfo parent) {
      List<String> referenced = fk.parentColumns();
      if (!parent.keyless() && parent.primaryKey().size() == referenced.size()
          && parent.primaryKey().containsAll(referenced)) {
        return Optional.of(new ParentKey("", positions(parent.primaryKey(), referenced)));
      }
      return parent.uniqueKeyOn(referenced).map(k -> new ParentKey(k.name(), positions(k.columns(), referenced)));
    }

    private static int[] positions(List<String> keyColumns, List<String> referenced) {
      return keyColumns.stream().mapToInt(referenced::indexOf).toArray();
    }

    /** A child's values (in the foreign key's order) in the key's column order. */
    List<Value> order(List<Value> ref) {
      List<Value> out = new ArrayList<>(positions.length);
      for (int at : positions) {
        out.add(ref.get(at));
      }
      return out;
    }
  }

  private static Optional<List<Value>> valuesOf(List<String> names, List<Column> columns, List<Value> values) {
    List<Value> key = new ArrayList<>(names.size());
    for (String name : names) {
      int at = indexOf(columns, name);
      if (at < 0 || values.get(at) == Value.UNCHANGED) {
        return Optional.empty();
      }
      key.add(values.get(at));
    }
    return Optional.of(key);
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether this and {@code other} may not run at once. */
  public boolean conflictsWith(WriteKeys other) {
    if (barrier || other.barrier) {
      return true;
    }
    for (TableId t : tables) {
      if (other.tables.contains(t) || other.rows.stream().anyMatch(r -> r.table().equals(t))) {
        return true;
      }
    }
    for (RowKey r : rows) {
      if (other.tables.contains(r.table()) || other.rows.contains(r)) {
        return true;
      }
    }
    return false;
  }

  /** The keys of this and {@code other} together (a unit of several transactions). */
  public WriteKeys union(WriteKeys other) {
    if (barrier || other.barrier) {
      return BARRIER;
    }
    Set<TableId> t = new HashSet<>(tables);
    t.addAll(other.tables);
    Set<RowKey> r = new HashSet<>(rows);
    r.addAll(other.rows);
    r.removeIf(k -> t.contains(k.table()));
    return new WriteKeys(false, t, r);
  }
}
