package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Value;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of same-shaped row changes of a large transaction applied set-based on a PostgreSQL
 * target: rows are streamed by COPY as they are read (never held), then merged with one statement.
 * Inserts are copied straight into the table; updates (located by the key in the new row) and
 * deletes (located by the old key) are copied into a temporary staging table that has the
 * target's own column types, then merged by {@code UPDATE … FROM} / {@code DELETE … USING} on the
 * primary key.
 *
 * <p>Results equal the row path's or the run fails: a merge must affect exactly as many target
 * rows as were staged — fewer means a row was missing or a key came twice — and otherwise throws
 * {@link SetMismatch}, so the caller replays the transaction row by row, where conflicts are found,
 * resolved and named one by one. Unchanged TOAST columns are not in the shape's SET list, as in the
 * row path. Not thread-safe; the caller owns the target transaction.
 */
final class StagedRun {
  /** Staged rows written to the server per COPY message. */
  private static final int COPY_BUFFER = 64 * 1024;
  private static final String STAGING = "ferry_stage";

  /**
   * What the rows of one run share: operation, table (the writer's cached description, compared
   * by identity), and the columns they carry.
   */
  record Shape(Kind kind, TableInfo table, List<Column> columns) {
    boolean sameAs(Shape other) {
      return other != null && kind == other.kind && table == other.table && columns.equals(other.columns);
    }
  }

  enum Kind { INSERT, UPDATE, DELETE }

  /** The merge affected fewer target rows than were staged: replay the transaction row by row. */
  static final class SetMismatch extends Exception {
    SetMismatch(String message) {
      super(message, null, false, false);
    }
  }

  private final Connection connection;
  private final Shape shape;
  private final BulkLoader loader;
  private final BulkLoader.Stream copy;
  private final StringBuilder buffer = new StringBuilder();
  private long rows;

  private StagedRun(Connection connection, Shape shape, BulkLoader loader, BulkLoader.Stream copy) {
    this.connection = connection;
    this.shape = shape;
    this.loader = loader;
    this.copy = copy;
  }

  /** Creates the staging table if the shape needs one and starts the COPY. */
  static StagedRun begin(Connection c, Shape shape, Dialect dialect) throws SQLException {
    List<String> quoted = shape.columns().stream().map(column -> dialect.syntax().quote(column.name())).toList();
    String columns = String.join(", ", quoted);
    String into = shape.table().sqlName();
    if (shape.kind() != Kind.INSERT) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TEMP TABLE " + STAGING + " ON COMMIT DROP AS SELECT " + columns + " FROM "
            + shape.table().sqlName() + " WITH NO DATA");
      }
      into = STAGING;
    }
    BulkLoader loader = dialect.bulkLoader().orElseThrow(() -> new IllegalStateException(
        dialect.name() + " has no bulk path for a staged run"));
    return new StagedRun(c, shape, loader, loader.open(c, into, quoted, false));
  }

  /** The staged values of {@code change}, in the shape's column order. */
  static List<Value> values(Shape shape, Change change) {
    return switch (change) {
      case Change.Insert i -> i.row();
      case Change.Update u -> present(u.row());
      case Change.Delete d -> keyValues(shape, d);
      default -> throw new IllegalArgumentException("no staged values for " + change);
    };
  }

  void add(Change change) throws SQLException {
    List<Value> row = values(shape, change);
    for (int i = 0; i < row.size(); i++) {
      if (i > 0) {
        buffer.append('\t');
      }
      loader.appendText(buffer, row.get(i));
    }
    buffer.append('\n');
    rows++;
    if (buffer.length() >= COPY_BUFFER) {
      send();
    }
  }

  long rows() {
    return rows;
  }

  /** Ends the COPY and merges; returns the rows applied. */
  long finish(Dialect dialect) throws SQLException, SetMismatch {
    send();
    long copied = copy.end();
    if (shape.kind() == Kind.INSERT) {
      return copied;
    }
    long merged;
    try (Statement st = connection.createStatement()) {
      merged = st.executeLargeUpdate(mergeSql(dialect));
      st.execute("DROP TABLE " + STAGING);
    }
    if (merged != copied) {
      throw new SetMismatch(shape.kind() + " of " + copied + " staged rows of " + shape.table().sqlName()
          + " affected " + merged + " rows");
    }
    return merged;
  }

  /** Abandons the COPY (the target transaction is being rolled back). */
  void cancel() {
    // The connection is broken or the transaction already failed: the rollback cleans up.
    copy.cancel();
  }

  String describe() {
    return "COPY " + shape.kind() + " run into " + shape.table().sqlName() + " (" + rows + " rows)";
  }

  private String mergeSql(Dialect dialect) {
    StringBuilder on = new StringBuilder();
    for (String key : shape.table().primaryKey()) {
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(dialect.syntax().quote(key)).append(" = s.")
          .append(dialect.syntax().quote(key));
    }
    String table = shape.table().sqlName() + " t";
    if (shape.kind() == Kind.DELETE) {
      return "DELETE FROM " + table + " USING " + STAGING + " s WHERE " + on;
    }
    StringBuilder set = new StringBuilder();
    List<String> key = shape.table().primaryKey();
    boolean onlyKey = shape.columns().stream().allMatch(c -> key.contains(c.name()));
    for (Column column : shape.columns()) {
      if (key.contains(column.name()) && !onlyKey) {
        continue; // located by it, so it holds that value already
      }
      String name = dialect.syntax().quote(column.name());
      set.append(set.isEmpty() ? "" : ", ").append(name).append(" = s.").append(name);
    }
    return "UPDATE " + table + " SET " + set + " FROM " + STAGING + " s WHERE " + on;
  }

  private void send() throws SQLException {
    if (buffer.isEmpty()) {
      return;
    }
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
    copy.write(bytes, 0, bytes.length);
    buffer.setLength(0);
  }

  private static List<Value> present(List<Value> row) {
    List<Value> out = new ArrayList<>(row.size());
    for (Value v : row) {
      if (v != Value.UNCHANGED) {
        out.add(v);
      }
    }
    return out;
  }

  private static List<Value> keyValues(Shape shape, Change.Delete delete) {
    List<Value> out = new ArrayList<>(shape.columns().size());
    for (Column column : shape.columns()) {
      out.add(delete.old().get(RowPlanner.indexOf(delete.columns(), column.name())));
    }
    return out;
  }
}
