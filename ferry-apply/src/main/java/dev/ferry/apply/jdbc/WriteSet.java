package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The open batches of row statements, oldest first, with the row keys each touches: what decides
 * whether a change may wait in a batch or must run after the batches before it. Two changes
 * commute when they touch different tables or disjoint keys of one table; a change of a keyless
 * table touches the whole table. The seed of a parallel scheduler. Not thread-safe.
 */
final class WriteSet {
  /** Entries of one JDBC batch from which it is run without waiting for the group commit. */
  static final int MAX_BATCH = 1000;
  /** The key of every row of a keyless table: its changes are ordered against all others. */
  private static final Object WHOLE_TABLE = new Object();

  /** The pending entries of one statement and the row keys they touch. */
  private static final class Batch {
    final TableId table;
    final List<RowOp> ops = new ArrayList<>();
    final Set<Object> keys = new HashSet<>();

    Batch(TableId table) {
      this.table = table;
    }
  }

  private final Map<String, Batch> open = new LinkedHashMap<>();

  void clear() {
    open.clear();
  }

  /**
   * Whether {@code op} must wait until the open batches have run: in exact mode, any batch of
   * another statement; in deferred mode, one of another statement on its table sharing a key.
   */
  boolean mustRunBefore(RowOp op, List<Object> keys, boolean deferred) {
    if (!deferred) {
      return !open.isEmpty() && !open.containsKey(op.sql());
    }
    for (Map.Entry<String, Batch> e : open.entrySet()) {
      Batch other = e.getValue();
      if (!e.getKey().equals(op.sql()) && other.table.equals(op.table().source())) {
        for (Object key : keys) {
          if (key == WHOLE_TABLE || other.keys.contains(WHOLE_TABLE) || other.keys.contains(key)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Adds {@code op} to its statement's batch; returns that batch, removed, once it is full. */
  Optional<List<RowOp>> add(RowOp op, List<Object> keys, boolean deferred) {
    Batch batch = open.computeIfAbsent(op.sql(), s -> new Batch(op.table().source()));
    batch.ops.add(op);
    if (deferred) {
      batch.keys.addAll(keys);
    }
    if (batch.ops.size() < MAX_BATCH) {
      return Optional.empty();
    }
    open.remove(op.sql());
    return Optional.of(batch.ops);
  }

  /** Removes and returns the oldest open batch. */
  Optional<List<RowOp>> takeOldest() {
    Iterator<Batch> it = open.values().iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    Batch oldest = it.next();
    it.remove();
    return Optional.of(oldest.ops);
  }

  /** The target rows {@code op} may touch: primary key values (old and new for an update). */
  static List<Object> keys(RowOp op) {
    TableInfo table = op.table();
    if (table.keyless()) {
      return List.of(WHOLE_TABLE);
    }
    List<Object> keys = new ArrayList<>(2);
    switch (op.change()) {
      case Change.Insert i -> addKey(keys, table, i.columns(), i.row());
      case Change.Update u -> {
        addKey(keys, table, u.columns(), u.row());
        if (u.oldImage() != Change.OldImage.NONE) {
          addKey(keys, table, u.columns(), u.old());
        }
      }
      case Change.Delete d -> addKey(keys, table, d.columns(), d.old());
      default -> { }
    }
    if (keys.isEmpty()) {
      keys.add(WHOLE_TABLE);
    }
    return keys;
  }

  private static void addKey(List<Object> keys, TableInfo table, List<Column> columns, List<Value> values) {
    List<Value> key = new ArrayList<>(table.primaryKey().size());
    for (String name : table.primaryKey()) {
      int at = RowPlanner.indexOf(columns, name);
      if (at < 0 || values.get(at) == Value.UNCHANGED) {
        return; // an update without the new key keeps the old one, which its old image or row gives
      }
      key.add(values.get(at));
    }
    keys.add(key);
  }
}
