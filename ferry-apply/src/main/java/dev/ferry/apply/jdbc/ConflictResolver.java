package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConflictType;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Detects what kind of conflict a row statement that found nothing is, and overwrites it. */
final class ConflictResolver {
  private final ChangeWriter writer;
  private final RowOp op;
  private final List<Column> columns;
  private final List<Value> remote;
  private final List<Value> locating;

  ConflictResolver(ChangeWriter writer, RowOp op) {
    this.writer = writer;
    this.op = op;
    switch (op.change()) {
      case Change.Insert i -> {
        columns = i.columns();
        remote = i.row();
        locating = i.row();
      }
      case Change.Update u -> {
        columns = u.columns();
        remote = u.row();
        locating = u.oldImage() == Change.OldImage.NONE ? u.row() : u.old();
      }
      case Change.Delete d -> {
        columns = d.columns();
        remote = d.old();
        locating = d.old();
      }
      default -> throw new IllegalStateException("not a row change: " + op.change());
    }
  }

  ConflictRecord detect() throws SQLException {
    String key = key();
    Optional<String> local = op.table().keyless() ? Optional.empty() : localRow();
    boolean full = op.change() instanceof Change.Update u ? u.oldImage() == Change.OldImage.FULL
        : op.change() instanceof Change.Delete d && d.oldImage() == Change.OldImage.FULL;
    ConflictType type = switch (op.change()) {
      case Change.Insert i -> ConflictType.INSERT_EXISTS;
      case Change.Update u -> local.isPresent() && full ? ConflictType.UPDATE_DIFFERS : ConflictType.UPDATE_MISSING;
      default -> local.isPresent() && full ? ConflictType.DELETE_DIFFERS : ConflictType.DELETE_MISSING;
    };
    return new ConflictRecord(writer.clock.instant(), writer.tx.gtid(), type, op.table().source(), key, local,
        Rows.render(columns, remote), "");
  }

  private String key() {
    if (op.table().keyless()) {
      return Rows.render(columns, locating);
    }
    List<Column> keyColumns = new ArrayList<>();
    List<Value> keyValues = new ArrayList<>();
    for (String name : op.table().primaryKey()) {
      int at = RowPlanner.indexOf(columns, name);
      keyColumns.add(columns.get(at));
      keyValues.add(locating.get(at));
    }
    return Rows.render(keyColumns, keyValues);
  }

  private Optional<String> localRow() throws SQLException {
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    for (String name : op.table().primaryKey()) {
      int at = RowPlanner.indexOf(columns, name);
      types.add(columns.get(at));
      params.add(locating.get(at));
    }
    String select = writer.sql.selectByKey(op.table(), op.table().primaryKey());
    try (PreparedStatement ps = writer.connection.prepareStatement(select)) {
      for (int i = 0; i < params.size(); i++) {
        writer.dialect.values().bind(ps, i + 1, params.get(i), types.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Rows.render(rs)) : Optional.empty();
      }
    }
  }

  /** Makes the target follow the source; returns the resolution's name. */
  String overwrite(ConflictType type) throws SQLException, StopApply {
    return switch (type) {
      case INSERT_EXISTS -> op.table().keyless() ? "skipped (no primary key to overwrite by)" : updateByKey();
      case UPDATE_EXISTS -> throw new IllegalStateException("a unique-key clash is resolved by UniqueClash");
      case UPDATE_MISSING -> insertSent();
      case UPDATE_DIFFERS -> updateByKey();
      case DELETE_MISSING -> "ignored";
      case DELETE_DIFFERS -> {
        RowPlanner.Locator where = byKey("DELETE");
        run(writer.sql.delete(op.table(), where.key(), List.of()), where.types(), where.params());
        yield "deleted";
      }
    };
  }

  private String updateByKey() throws SQLException, StopApply {
    List<String> set = new ArrayList<>();
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (remote.get(i) != Value.UNCHANGED) {
        set.add(columns.get(i).name());
        types.add(columns.get(i));
        params.add(remote.get(i));
      }
    }
    RowPlanner.Locator where = byKey("UPDATE");
    types.addAll(where.types());
    params.addAll(where.params());
    run(writer.sql.update(op.table(), set, where.key(), List.of()), types, params);
    return "overwritten";
  }

  private String insertSent() throws SQLException {
    List<String> names = new ArrayList<>();
    List<Column> types = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (remote.get(i) != Value.UNCHANGED) {
        names.add(columns.get(i).name());
        types.add(columns.get(i));
        params.add(remote.get(i));
      }
    }
    writer.execute(writer.planner.insertRow(op.change(), op.table(), columns, remote, names, types, params));
    return names.size() == columns.size() ? "inserted" : "inserted (unchanged TOAST columns left to defaults)";
  }

  private RowPlanner.Locator byKey(String operation) throws StopApply {
    return writer.planner.locate(writer.tx.gtid(), op.table(), columns, Change.OldImage.KEY, locating, operation);
  }

  private void run(String statement, List<Column> types, List<Value> params) throws SQLException {
    writer.execute(statement, new RowOp(op.change(), op.table(), statement, types, params));
  }
}
