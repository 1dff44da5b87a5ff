package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConflictPolicy;
import dev.ferry.apply.ConflictType;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import dev.ferry.sql.SqlErrorText;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Exact mode's row statements that a unique key can refuse, run one at a time inside a savepoint
 * (a refused statement would otherwise end the PostgreSQL transaction): an insert or update of a
 * table with unique keys besides its primary key, and an update that moves a primary key.
 *
 * <p>A clash on another unique key is a conflict ({@code insert_exists} / {@code update_exists})
 * naming the key, the local row that holds the values and the row sent; {@code stop} stops,
 * {@code skip} leaves the target as it is, {@code overwrite} deletes the local row and runs the
 * change again. A primary key moved onto a key another row still holds — a key shift such as
 * {@code UPDATE t SET id = id + 1}, which the source checked at its commit (deferrable key) and a
 * SQLite or non-deferrable target checks row by row — is parked: the row is moved into a temporary
 * table and updated there (alone), and every parked row goes back into the table once the shift is over
 * (the next change that is not another key move of the table, or the end of the transaction). The
 * values never leave the target, so they come back exactly. Not thread-safe; one per writer.
 */
final class GuardedRows {
  private static final String PARKED = "ferry_parked";
  /** The one row being parked, updated alone (in the parked table its new key may equal another's old one). */
  private static final String MOVING = "ferry_moving";

  private final ChangeWriter writer;
  /** The table whose rows are parked, if any. */
  private Optional<TableInfo> parked = Optional.empty();

  GuardedRows(ChangeWriter writer) {
    this.writer = writer;
  }

  /**
   * Whether a batch of {@code ops} (one statement) runs here rather than as a JDBC batch: in
   * deferred mode only one that moves a primary key (a target that does not check the key row by
   * row — a deferrable one under {@code session_replication_role = replica} is not checked at
   * all — would otherwise let the next update of a shift find two rows by their old key).
   */
  static boolean needed(List<RowOp> ops, boolean deferred) {
    RowOp first = ops.getFirst();
    if (first.change() instanceof Change.Delete) {
      return false;
    }
    boolean otherKeys = !deferred && !first.table().uniqueKeys().isEmpty();
    return otherKeys || ops.stream().anyMatch(GuardedRows::movesKey);
  }

  /** Whether {@code op} is an update whose new primary key differs from its old one. */
  static boolean movesKey(RowOp op) {
    if (!(op.change() instanceof Change.Update u) || u.oldImage() == Change.OldImage.NONE || op.table().keyless()) {
      return false;
    }
    for (String name : op.table().primaryKey()) {
      int at = RowPlanner.indexOf(u.columns(), name);
      if (at >= 0 && u.row().get(at) != Value.UNCHANGED && !u.row().get(at).equals(u.old().get(at))) {
        return true;
      }
    }
    return false;
  }

  /** Whether rows of a table are parked and {@code op} is not another key move of it (the shift is over). */
  boolean mustUnparkBefore(RowOp op) {
    return parked.isPresent() && !(parked.get() == op.table() && movesKey(op));
  }

  /** Forgets parked rows (the target transaction was rolled back, and its temporary table with it). */
  void discard() {
    parked = Optional.empty();
  }

  /**
   * Runs {@code op}; returns the rows it affected (0: a row it did not find, for the caller to
   * resolve), or 1 when a clash was resolved by the policy or the row parked.
   */
  int run(PreparedStatement ps, RowOp op, boolean deferred) throws SQLException, StopApply {
    if (movesKey(op) && newKeyHeld(op)) {
      park(op);
      return 1;
    }
    int clashes = 0;
    while (true) {
      Savepoint savepoint = writer.connection.setSavepoint();
      try {
        int affected = writer.executeOn(ps, op);
        writer.connection.releaseSavepoint(savepoint);
        return affected;
      } catch (SQLException e) {
        Optional<TableInfo.UniqueKey> clash = writer.dialect.catalog().uniqueViolation(e, op.table());
        if (clash.isEmpty() || deferred && !movesKey(op)) {
          throw e; // deferred mode: the group is replayed in exact mode, which names the conflict
        }
        writer.connection.rollback(savepoint);
        writer.connection.releaseSavepoint(savepoint);
        if (!op.table().uniqueKeys().contains(clash.get()) && movesKey(op)) {
          park(op);
          return 1;
        }
        if (!resolve(op, clash.get()) || ++clashes > op.table().uniqueKeys().size() + 1) {
          return 1;
        }
      }
    }
  }

  /** Whether another row holds the primary key {@code op} moves its row to. */
  private boolean newKeyHeld(RowOp op) throws SQLException {
    Change.Update update = (Change.Update) op.change();
    TableInfo table = op.table();
    try (PreparedStatement ps = writer.connection.prepareStatement("SELECT 1 FROM " + table.sqlName() + " WHERE "
        + equalities(table.primaryKey()))) {
      int i = 1;
      for (String name : table.primaryKey()) {
        int at = RowPlanner.indexOf(update.columns(), name);
        Value value = update.row().get(at) == Value.UNCHANGED ? update.old().get(at) : update.row().get(at);
        writer.dialect.values().bind(ps, i++, value, update.columns().get(at));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Returns true if the clashing local row was deleted and {@code op} should run again. */
  private boolean resolve(RowOp op, TableInfo.UniqueKey key) throws SQLException, StopApply {
    Change change = op.change();
    List<Column> columns = change instanceof Change.Insert i ? i.columns() : ((Change.Update) change).columns();
    List<Value> row = change instanceof Change.Insert i ? i.row() : ((Change.Update) change).row();
    List<Column> keyColumns = new ArrayList<>();
    List<Value> keyValues = new ArrayList<>();
    for (String name : key.columns()) {
      int at = RowPlanner.indexOf(columns, name);
      if (at < 0 || row.get(at) == Value.UNCHANGED) {
        throw new IllegalStateException("a clash on " + key.name() + " whose column " + name + " was not sent");
      }
      keyColumns.add(columns.get(at));
      keyValues.add(row.get(at));
    }
    Optional<String> local = localRow(op.table(), key, keyColumns, keyValues);
    ConflictType type = change instanceof Change.Insert ? ConflictType.INSERT_EXISTS : ConflictType.UPDATE_EXISTS;
    ConflictRecord conflict = new ConflictRecord(writer.clock.instant(), writer.tx.gtid(), type, op.table().source(),
        Rows.render(keyColumns, keyValues) + " on unique key " + key.name(), local, Rows.render(columns, row), "");
    ConflictPolicy policy = writer.policy();
    if (policy == ConflictPolicy.STOP) {
      throw new StopApply(writer.side(), "cannot apply " + writer.tx.gtid() + " to "
          + op.table().source() + ": " + conflict.describe(), op.table().source(), conflict.withResolution("stopped"));
    }
    if (policy == ConflictPolicy.SKIP) {
      writer.record(conflict.withResolution("skipped"));
      return false;
    }
    String delete = "DELETE FROM " + op.table().sqlName() + " WHERE " + equalities(key.columns());
    writer.execute(delete, new RowOp(change, op.table(), delete, keyColumns, keyValues));
    writer.record(conflict.withResolution("overwritten (local row deleted)"));
    return true;
  }

  private Optional<String> localRow(TableInfo table, TableInfo.UniqueKey key, List<Column> types, List<Value> values)
      throws SQLException {
    try (PreparedStatement ps = writer.connection.prepareStatement(writer.sql.selectByKey(table, key.columns()))) {
      for (int i = 0; i < values.size(); i++) {
        writer.dialect.values().bind(ps, i + 1, values.get(i), types.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Rows.render(rs)) : Optional.empty();
      }
    }
  }

  /** Moves the row {@code op} updates into the parked table, then applies {@code op} to it there. */
  private void park(RowOp op) throws SQLException {
    TableInfo table = op.table();
    if (parked.isPresent() && parked.get() != table) {
      throw new IllegalStateException("rows of " + parked.get().sqlName() + " are still parked");
    }
    if (parked.isEmpty()) {
      String empty = "SELECT * FROM " + table.sqlName() + " WHERE 1 = 0";
      execute(writer.dialect.syntax().createTempTableAs(PARKED, empty));
      execute(writer.dialect.syntax().createTempTableAs(MOVING, empty));
      parked = Optional.of(table);
    }
    Change.Update update = (Change.Update) op.change();
    List<Column> keyColumns = new ArrayList<>();
    List<Value> oldKey = new ArrayList<>();
    for (String name : table.primaryKey()) {
      int at = RowPlanner.indexOf(update.columns(), name);
      keyColumns.add(update.columns().get(at));
      oldKey.add(update.old().get(at));
    }
    String where = " WHERE " + equalities(table.primaryKey());
    String copy = "INSERT INTO " + MOVING + " SELECT * FROM " + table.sqlName() + where;
    writer.execute(copy, new RowOp(update, table, copy, keyColumns, oldKey));
    String delete = "DELETE FROM " + table.sqlName() + where;
    writer.execute(delete, new RowOp(update, table, delete, keyColumns, oldKey));
    String prefix = "UPDATE " + table.sqlName();
    String there = "UPDATE " + MOVING + op.sql().substring(prefix.length());
    writer.execute(there, new RowOp(update, table, there, op.types(), op.params()));
    execute("INSERT INTO " + PARKED + " SELECT * FROM " + MOVING);
    execute("DELETE FROM " + MOVING);
  }

  /** Puts the parked rows back at their new keys; a key still held by a row that did not move stops apply. */
  void unpark() throws SQLException, StopApply {
    if (parked.isEmpty()) {
      return;
    }
    TableInfo table = parked.get();
    parked = Optional.empty();
    Savepoint savepoint = writer.connection.setSavepoint();
    try {
      execute("INSERT INTO " + table.sqlName() + " SELECT * FROM " + PARKED);
      writer.connection.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      Optional<TableInfo.UniqueKey> clash = writer.dialect.catalog().uniqueViolation(e, table);
      if (clash.isEmpty()) {
        throw e;
      }
      writer.connection.rollback(savepoint);
      ConflictRecord conflict = new ConflictRecord(writer.clock.instant(), writer.tx.gtid(), ConflictType.UPDATE_EXISTS,
          table.source(), "(" + String.join(", ", clash.get().columns()) + ") on unique key " + clash.get().name(),
          Optional.empty(), "rows whose primary key the transaction moved", "stopped");
      throw new StopApply(writer.side(), "cannot apply " + writer.tx.gtid() + " to "
          + table.source() + ": rows whose primary key it moved clash with local rows that did not move on "
          + clash.get().name() + " (update_exists): " + SqlErrorText.describe(e), table.source(), conflict);
    }
    execute(writer.dialect.syntax().dropTempTable(PARKED));
    execute(writer.dialect.syntax().dropTempTable(MOVING));
  }

  private String equalities(List<String> columns) {
    StringBuilder out = new StringBuilder();
    for (String name : columns) {
      out.append(out.isEmpty() ? "" : " AND ").append(writer.dialect.syntax().quote(name)).append(" = ?");
    }
    return out.toString();
  }

  private void execute(String sql) throws SQLException {
    try (Statement st = writer.connection.createStatement()) {
      st.execute(sql);
    }
  }
}
