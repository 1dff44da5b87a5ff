package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.apply.dialect.SetStatements;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies one large source transaction from a cursor over its changes, in bounded memory, on an
 * open target transaction whose commit the caller owns. Row changes go through the
 * {@link ChangeWriter} in exact mode a part of {@value #ROW_PART} changes at a time. On a
 * PostgreSQL target with {@code setBased}, runs of at least {@value ChangeWriter#BULK_THRESHOLD}
 * same-shaped inserts, updates located by key or deletes by key are streamed through a
 * {@link StagedRun} instead, so a million-row {@code UPDATE} costs a COPY and one merge.
 *
 * <p>Not thread-safe: the applier's thread drives it.
 */
final class LargeTransactionApply {
  /** Row changes handed to the writer at once (they, not the transaction, are in memory). */
  static final int ROW_PART = 4096;

  /** Sees every change as it is read (the schema sequence barrier). */
  interface Seen {
    void accept(Change change) throws SchemaSequenceException;
  }

  private final ApplyConfig config;
  private final ChangeWriter writer;

  LargeTransactionApply(ApplyConfig config, ChangeWriter writer) {
    this.config = config;
    this.writer = writer;
  }

  /**
   * Applies every change of {@code cursor}, which belong to {@code header} (whose own list is
   * empty), and returns the conflicts resolved.
   *
   * @throws StagedRun.SetMismatch if a set-based run did not affect exactly its rows: roll back and
   *     call again with {@code setBased} false
   */
  List<ConflictRecord> apply(Transaction header, ChangeCursor cursor, boolean setBased, Seen seen)
      throws SQLException, StopApply, IOException, SchemaSequenceException, StagedRun.SetMismatch {
    boolean staged = setBased && writer.dialect.setStatements().filter(SetStatements::arrays).isPresent();
    List<ConflictRecord> conflicts = new ArrayList<>();
    List<Change> part = new ArrayList<>();
    List<Change> held = new ArrayList<>(); // a possible run, until it is long enough
    StagedRun.Shape heldShape = null;
    StagedRun run = null;
    writer.start(header);
    try {
      while (cursor.advance()) {
        Change change = cursor.current();
        seen.accept(change);
        if (run != null) {
          // The open COPY holds the connection: the shape is judged on the run's own table description.
          StagedRun.Shape next = shapeOn(change, heldShape.table());
          if (next != null && next.sameAs(heldShape)) {
            run.add(change);
            continue;
          }
          finish(run);
          run = null;
        }
        if (change instanceof Change.Ddl) {
          // It may change any table: run it now, so that no change after it is described before it ran.
          part.addAll(held);
          held.clear();
          heldShape = null;
          part.add(change);
          conflicts.addAll(writePart(header, part, setBased));
          continue;
        }
        StagedRun.Shape shape = staged ? shapeOf(change) : null;
        if (shape != null && shape.sameAs(heldShape)) {
          held.add(change);
          if (held.size() >= ChangeWriter.BULK_THRESHOLD) {
            conflicts.addAll(writePart(header, part, setBased));
            run = beginRun(held, heldShape);
          }
          continue;
        }
        part.addAll(held);
        held.clear();
        heldShape = shape;
        (shape != null ? held : part).add(change);
        if (part.size() >= ROW_PART) {
          conflicts.addAll(writePart(header, part, setBased));
        }
      }
      if (run != null) {
        finish(run);
        run = null;
      }
      part.addAll(held);
      conflicts.addAll(writePart(header, part, setBased));
      writer.settle(); // rows a key shift parked go back at the end of the transaction, not of a part
      return conflicts;
    } finally {
      if (run != null) {
        run.cancel();
      }
    }
  }

  /** Starts a staged run of {@code shape} with the {@code held} changes (the part before it is written). */
  private StagedRun beginRun(List<Change> held, StagedRun.Shape shape) throws SQLException, StopApply {
    writer.settle();
    StagedRun run = StagedRun.begin(writer.connection, shape, writer.dialect);
    writer.running(shape.table().source(), run.describe());
    for (Change h : held) {
      run.add(h);
    }
    held.clear();
    return run;
  }

  private void finish(StagedRun run) throws SQLException, StagedRun.SetMismatch {
    writer.running(null, run.describe());
    run.finish(writer.dialect);
  }

  private List<ConflictRecord> writePart(Transaction header, List<Change> part, boolean bulk)
      throws SQLException, StopApply {
    if (part.isEmpty()) {
      return List.of();
    }
    List<ConflictRecord> conflicts = writer.apply(header, part, ApplyMode.exact(bulk));
    part.clear();
    return conflicts;
  }

  /** The run a change could join, or null if it takes the row path. */
  private StagedRun.Shape shapeOf(Change change) throws SQLException {
    try {
      return eligibleShape(change);
    } catch (StopApply missing) {
      return null; // a table missing on the target: the row path names it
    }
  }

  private StagedRun.Shape eligibleShape(Change change) throws SQLException, StopApply {
    TableId id = tableOf(change);
    return id == null || !config.filter().accepts(id) ? null : shapeOn(change, writer.table(id));
  }

  /** The run a change of {@code table} (as described) could join, or null; reads nothing from the target. */
  private static StagedRun.Shape shapeOn(Change change, TableInfo table) {
    if (!table.source().equals(tableOf(change))) {
      return null;
    }
    return switch (change) {
      case Change.Insert i when !i.row().contains(Value.UNCHANGED) ->
          onTarget(table, i.columns()) ? new StagedRun.Shape(StagedRun.Kind.INSERT, table, i.columns()) : null;
      case Change.Update u when u.oldImage() == Change.OldImage.NONE -> {
        List<Column> present = present(u.columns(), u.row());
        boolean located = !table.keyless() && keyPresent(table, u.columns(), u.row());
        yield located && onTarget(table, present) ? new StagedRun.Shape(StagedRun.Kind.UPDATE, table, present) : null;
      }
      case Change.Delete d when d.oldImage() == Change.OldImage.KEY -> {
        if (table.keyless() || !keyPresent(table, d.columns(), d.old())) {
          yield null;
        }
        List<Column> key = new ArrayList<>();
        for (String name : table.primaryKey()) {
          key.add(d.columns().get(RowPlanner.indexOf(d.columns(), name)));
        }
        yield new StagedRun.Shape(StagedRun.Kind.DELETE, table, key);
      }
      default -> null;
    };
  }

  private static List<Column> present(List<Column> columns, List<Value> row) {
    if (!row.contains(Value.UNCHANGED)) {
      return columns;
    }
    List<Column> out = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (row.get(i) != Value.UNCHANGED) {
        out.add(columns.get(i));
      }
    }
    return out;
  }

  /** Whether every primary key column is carried with a value (else the row path names the problem). */
  private static boolean keyPresent(TableInfo table, List<Column> columns, List<Value> values) {
    for (String name : table.primaryKey()) {
      int at = RowPlanner.indexOf(columns, name);
      if (at < 0 || values.get(at) == Value.UNCHANGED || values.get(at) == Value.NULL) {
        return false;
      }
    }
    return true;
  }

  private static boolean onTarget(TableInfo table, List<Column> columns) {
    for (Column column : columns) {
      if (table.column(column.name()).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static TableId tableOf(Change change) {
    return switch (change) {
      case Change.Insert i -> i.table();
      case Change.Update u -> u.table();
      case Change.Delete d -> d.table();
      default -> null;
    };
  }
}
