package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How far into a source transaction a target whose DDL commits on its own (MariaDB, {@link
 * Dialect#ddlCommitsOnItsOwn}) has committed, so that a transaction holding row changes and DDL
 * (a SQLite source's rows pending at a schema change, a PostgreSQL transaction with DDL after its
 * rows) applies exactly once.
 *
 * <p>Before the k-th DDL of transaction g runs, the row {@code (source, g, k)} of the {@code
 * ddl_steps} control table is written in the open target transaction, and that transaction — the
 * changes before the DDL — commits (explicitly; the DDL would commit it anyway). So the row exists
 * exactly when the changes before the k-th DDL are committed: one InnoDB commit covers both. Then
 * the DDL runs and commits itself. The changes after it commit with the next step row, or at the
 * end with the replica's progress row, which also deletes the step row. A re-run of g after a crash
 * (or after a rolled-back attempt) reads the row, passes over every change before the k-th DDL
 * (committed: applying them again would duplicate them) and runs the k-th DDL again, in its form
 * that is safe to run twice (it may or may not have taken effect), then the rest. Without a row,
 * nothing of g before its first DDL was committed, and it is applied from its start. Nothing is
 * lost or applied twice; what a reader of the replica may see in between is the transaction's
 * changes up to a DDL without the rest, as the DDL itself is seen before the rows after it.
 *
 * <p>One per {@link ChangeWriter}; not thread-safe.
 */
final class DdlSteps {
  private final Dialect dialect;
  private final String source;
  private final String table;
  private Transaction tx;
  /** The ordinal of the DDL the step row names: the changes before it are committed (0: none). */
  private int committedBefore;
  /** The DDLs of the transaction seen so far. */
  private int seen;

  DdlSteps(Dialect dialect, String source) {
    this.dialect = dialect;
    this.source = source;
    this.table = dialect.controlTables().table(ControlTables.DDL_STEPS);
  }

  /**
   * Starts a whole {@code transaction}: reads its step row if the target's DDL commits on its own
   * and the transaction holds DDL (looked for only then: this runs for every transaction).
   */
  void begin(Connection c, Transaction transaction) throws SQLException {
    begin(c, transaction, dialect.ddlCommitsOnItsOwn()
        && transaction.changes().stream().anyMatch(Change.Ddl.class::isInstance));
  }

  /**
   * Starts {@code transaction}: reads its step row if the target's DDL commits on its own and it
   * may hold DDL ({@code mayHoldDdl} false: it holds none; a large transaction read in parts: true).
   */
  void begin(Connection c, Transaction transaction, boolean mayHoldDdl) throws SQLException {
    tx = transaction;
    seen = 0;
    committedBefore = 0;
    if (!dialect.ddlCommitsOnItsOwn() || !mayHoldDdl) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT ddls FROM " + table + " WHERE source = ? AND gtid = ?")) {
      ps.setString(1, source);
      ps.setString(2, tx.gtid().toString());
      try (ResultSet rs = ps.executeQuery()) {
        committedBefore = rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /** Whether {@code change}, the transaction's next, was committed by an earlier attempt (pass over it). */
  boolean committed(Change change) {
    if (change instanceof Change.Ddl) {
      seen++;
    }
    return seen < committedBefore;
  }

  /** Whether the step row says changes before a DDL were committed by an earlier attempt. */
  boolean resumed() {
    return committedBefore > 0;
  }

  /**
   * Before the DDL just {@linkplain #committed seen} runs: records its ordinal and commits the
   * changes before it with that record.
   */
  void beforeDdl(Connection c) throws SQLException {
    if (!dialect.ddlCommitsOnItsOwn()) {
      return;
    }
    write(c, "DELETE FROM " + table + " WHERE source = ? AND gtid = ?", false);
    write(c, "INSERT INTO " + table + " (source, gtid, ddls) VALUES (?, ?, ?)", true);
    c.commit();
    committedBefore = seen;
  }

  /** At the end of the transaction, in the target transaction that writes its progress: drops its step row. */
  void finish(Connection c) throws SQLException {
    if (committedBefore > 0) {
      write(c, "DELETE FROM " + table + " WHERE source = ? AND gtid = ?", false);
      committedBefore = 0;
    }
  }

  private void write(Connection c, String sql, boolean withOrdinal) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      ps.setString(2, tx.gtid().toString());
      if (withOrdinal) {
        ps.setInt(3, seen);
      }
      ps.executeUpdate();
    }
  }
}
