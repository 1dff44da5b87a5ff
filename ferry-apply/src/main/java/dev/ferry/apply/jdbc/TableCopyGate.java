package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tables copied into a replica while it streams ({@code ferry table add} / {@code resync}),
 * kept in {@code _ferry.table_copies} (SQLite: {@code ferry_table_copies}), one row per source and
 * table, and what the applier does with their changes.
 *
 * <pre>
 *   COPYING          the copy runs: a change to the table waits (the applier rolls back and polls)
 *   COPIED at S      the copy holds every transaction committed before source position S:
 *                    the table's changes of a transaction before S are skipped, later ones applied
 * </pre>
 *
 * <p>Why no change is lost or applied twice: the copier marks COPYING before it takes the snapshot
 * at S and empties the table, and marking waits for every group of the source that read the marks
 * before ({@link Dialect#lockTable}; such a group may write the table with changes the snapshot
 * also holds), so no group writes the table while it is copied; it marks COPIED at S after the
 * copy committed. Every group reads the marks with a shared lock ({@link GroupStart}), and the
 * wait is, by database:
 * <ul>
 *   <li>PostgreSQL: an EXCLUSIVE lock of the table, which conflicts with the ROW SHARE lock every
 *       {@code FOR SHARE} read holds, rows found or not.
 *   <li>MariaDB: every row locked {@code FOR UPDATE}. At READ COMMITTED InnoDB takes no gap locks,
 *       so a group's {@code LOCK IN SHARE MODE} read locks only the rows it returns; the table
 *       therefore keeps a gate row per source ({@link #GATE}), created before an applier's first
 *       group ({@link #ensureGate}) and never cleared, which every group's read returns and locks,
 *       so the copier waits for every group of the source, serial or parallel, marks or none. (Not
 *       the progress row: a parallel worker's group locks it only at its commit.)
 *   <li>SQLite: nothing to lock, one writer at a time: a group that read the marks before the
 *       copier committed cannot write afterwards ({@code SQLITE_BUSY}) and reads them again
 *       ({@code SqliteDialect#lockTable}).
 * </ul>
 * Writing the replica's position for a seed or a load clears every mark (the seed holds all).
 * Stateless helpers; one connection per call, owned by the caller.
 */
final class TableCopyGate {
  /** How far a table's copy is. */
  enum State { COPYING, COPIED }

  /** A table's mark: its state and, once COPIED, the snapshot's position. */
  record Mark(TableId table, State state, Optional<SourcePosition> snapshot) {
  }

  /**
   * Thrown by {@link #filter} when a transaction changes a table whose copy still runs: the
   * applier rolls its group back and waits (unchecked, as it also leaves a streamed cursor).
   */
  static final class CopyRunning extends RuntimeException {
    private final TableId table;

    CopyRunning(TableId table) {
      super("the copy of " + table + " is still running", null, false, false);
      this.table = table;
    }

    TableId table() {
      return table;
    }
  }

  /**
   * The {@code table_name} of a source's gate row (state {@code GATE}), kept where a locking read
   * locks only the rows it finds ({@link Dialect#locksOnlyRowsFound}): no table id's text (it has
   * no dot), and skipped by every reader of the marks.
   */
  static final String GATE = "*";

  private TableCopyGate() {
  }

  /**
   * Creates the gate row of {@code source} if the dialect needs one and it is missing (in the
   * caller's transaction, not committed here). An applier runs it before its first group, so every
   * group's read of the marks locks it; a plain read first, so appliers opening while groups run
   * do not queue behind them.
   */
  static void ensureGate(Connection c, Dialect dialect, String source) throws SQLException {
    if (!dialect.locksOnlyRowsFound()) {
      return;
    }
    String table = dialect.controlTables().tableCopies();
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE source = ? AND table_name = ?")) {
      ps.setString(1, source);
      ps.setString(2, GATE);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(dialect.syntax().insertUnlessExists(table,
        "source, table_name, state", "?, ?, 'GATE'", "source, table_name"))) {
      ps.setString(1, source);
      ps.setString(2, GATE);
      ps.executeUpdate();
    }
  }

  /**
   * The marks of {@code source}; read with a shared lock when {@code lock}, so a copier marking a
   * new table COPYING waits for this transaction to end (see the class comment).
   */
  static Map<TableId, Mark> read(Connection c, Dialect dialect, String source, boolean lock) throws SQLException {
    Map<TableId, Mark> marks = new HashMap<>();
    String sql = "SELECT " + COLUMNS + " FROM " + dialect.controlTables().tableCopies() + " WHERE source = ?"
        + (lock ? dialect.lockRows(true) : "");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          mark(rs, 1).ifPresent(mark -> marks.put(mark.table(), mark));
        }
      }
    }
    return marks;
  }

  /** The columns {@link #mark} reads, in its order. */
  static final String COLUMNS = "table_name, state, snapshot_position";

  /**
   * The mark in the row at {@code rs}, whose {@link #COLUMNS} start at column {@code first}; empty
   * for the gate row. The gate row is left out here, not in the read's {@code WHERE}: the read must
   * return it to lock it.
   */
  static Optional<Mark> mark(ResultSet rs, int first) throws SQLException {
    String name = rs.getString(first);
    if (GATE.equals(name)) {
      return Optional.empty();
    }
    Optional<SourcePosition> at = Optional.ofNullable(rs.getString(first + 2)).map(SourcePosition::parse);
    return Optional.of(new Mark(TableId.parse(name), State.valueOf(rs.getString(first + 1)), at));
  }

  /**
   * Marks {@code table} (in the caller's transaction, not committed here). Marking COPYING first
   * locks the table of marks ({@link Dialect#lockTable}; on MariaDB with the source's gate row,
   * made here too if an applier has not yet): groups that read the marks before end first.
   */
  static void mark(Connection c, Dialect dialect, String source, TableId table, State state,
      Optional<SourcePosition> snapshot) throws SQLException {
    if (state == State.COPYING) {
      ensureGate(c, dialect, source);
      dialect.lockTable(c, dialect.controlTables().tableCopies());
    }
    // The dialect's upsert (ON CONFLICT, or MariaDB's ON DUPLICATE KEY UPDATE), as the progress row is written.
    String sql = dialect.syntax().upsert(dialect.controlTables().tableCopies(),
        List.of("source", "table_name", "state", "snapshot_position", "updated_at"), "source, table_name");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      ps.setString(2, table.toString());
      ps.setString(3, state.name());
      ps.setString(4, snapshot.map(SourcePosition::toString).orElse(null));
      dialect.values().bindTime(ps, 5, java.time.Instant.now());
      ps.executeUpdate();
    }
  }

  /**
   * Removes every mark of {@code source} (in the caller's transaction): a seed or load holds every
   * table. The gate row stays: a running applier's next groups must still lock it.
   */
  static void clear(Connection c, Dialect dialect, String source) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + dialect.controlTables().tableCopies()
        + " WHERE source = ? AND table_name <> ?")) {
      ps.setString(1, source);
      ps.setString(2, GATE);
      ps.executeUpdate();
    }
  }

  /** {@code cursor} without the changes its copied tables already hold (see {@link #filter}). */
  static ChangeCursor filter(ChangeCursor cursor, SourcePosition at, Map<TableId, Mark> marks) {
    if (marks.isEmpty()) {
      return cursor;
    }
    return new ChangeCursor() {
      private Change current;

      @Override
      public boolean advance() throws IOException {
        while (cursor.advance()) {
          Optional<Change> kept = keep(cursor.current(), at, marks);
          if (kept.isPresent()) {
            current = kept.get();
            return true;
          }
        }
        return false;
      }

      @Override
      public Change current() {
        return current;
      }

      @Override
      public void close() throws IOException {
        cursor.close();
      }
    };
  }

  /**
   * {@code tx} without the changes its copied tables already hold (those of a transaction before
   * the copy's snapshot); {@code tx} itself when none is marked.
   *
   * @ if {@code tx} changes a table whose copy is still running
   */
  static Transaction filter(Transaction tx, Map<TableId, Mark> marks) {
    if (marks.isEmpty()) {
      return tx;
    }
    List<Change> kept = new ArrayList<>(tx.changes().size());
    for (Change change : tx.changes()) {
      keep(change, tx.sourcePosition(), marks).ifPresent(kept::add);
    }
    return kept.size() == tx.changes().size() ? tx
        : new Transaction(tx.gtid(), tx.commitTime(), tx.schemaSequence(), tx.sourcePosition(), kept);
  }

  /** {@code change} as the replica applies it: empty when its copied table holds it already. */
  static Optional<Change> keep(Change change, SourcePosition at, Map<TableId, Mark> marks) {
    if (marks.isEmpty()) {
      return Optional.of(change);
    }
    return switch (change) {
      case Change.Insert i -> applies(i.table(), at, marks) ? Optional.of(change) : Optional.empty();
      case Change.Update u -> applies(u.table(), at, marks) ? Optional.of(change) : Optional.empty();
      case Change.Delete d -> applies(d.table(), at, marks) ? Optional.of(change) : Optional.empty();
      case Change.Truncate t -> {
        List<TableId> tables = new ArrayList<>();
        for (TableId table : t.tables()) {
          if (applies(table, at, marks)) {
            tables.add(table);
          }
        }
        yield tables.isEmpty() ? Optional.empty()
            : Optional.of(tables.size() == t.tables().size() ? t
                : new Change.Truncate(tables, t.cascade(), t.restartIdentity()));
      }
      default -> Optional.of(change);
    };
  }

  private static boolean applies(TableId table, SourcePosition at, Map<TableId, Mark> marks) {
    Mark mark = marks.get(table);
    if (mark == null) {
      return true;
    }
    if (mark.state() == State.COPYING) {
      throw new CopyRunning(table);
    }
    return mark.snapshot().map(s -> at.compareTo(s) >= 0).orElse(true);
  }
}
