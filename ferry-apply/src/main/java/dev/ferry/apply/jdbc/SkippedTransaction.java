package dev.ferry.apply.jdbc;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A transaction an operator skips on a stopped replica ({@code ferry skip}): its GTID joins the
 * replica's applied set without its changes being applied, and a row of type
 * {@value ConflictStore#SKIPPED} in the conflicts table says who skipped it, when and why — in one
 * target transaction, so a skip is never silent. The replica takes the transaction's schema
 * sequence as an apply would (its DDL, if any, is not run either). Immutable.
 *
 * @param source the journal's id, which keys the replica's progress row
 * @param tables the tables the transaction writes, for the conflicts row ({@code public.a, public.b})
 * @param appliedBefore the applied set the caller found the GTID missing from, checked again under the row's lock
 */
public record SkippedTransaction(String replica, String source, Gtid gtid, long schemaSequence, String tables,
    long changes, GtidSet appliedBefore, ConflictStore.Resolution resolution) {
  public SkippedTransaction {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(gtid, "gtid");
    Objects.requireNonNull(appliedBefore, "appliedBefore");
    Objects.requireNonNull(resolution, "resolution");
  }

  /** The replica's progress changed between the caller's read and the skip: nothing was written. */
  public static final class MovedException extends Exception {
    MovedException(String message) {
      super(message);
    }
  }

  /**
   * Records the skip on the replica's target ({@code c}: autocommit, one of Ferry's sessions; back to
   * autocommit on return).
   *
   * @throws MovedException when the replica's applied set is no longer {@link #appliedBefore}
   */
  public void record(Connection c) throws SQLException, MovedException {
    Dialect dialect = Dialect.of(c);
    dialect.controlTables().prepare(c); // the conflicts table's resolution columns
    ProgressStore progress = new ProgressStore(dialect, source);
    c.setAutoCommit(false);
    try {
      dialect.beginWrite(c);
      ReplicaPosition now = progress.read(c, true);
      if (!now.applied().equals(appliedBefore)) {
        throw new MovedException("replica " + replica + " applied more meanwhile (it has " + now.applied()
            + ", not " + appliedBefore + "): is a process applying it? Nothing was skipped");
      }
      progress.write(c, new ReplicaPosition(source, now.applied().add(gtid), now.journalPosition(),
          OptionalLong.of(schemaSequence), now.lastCommitTime()), Optional.empty(), resolution.at());
      new ConflictLog(dialect, replica, source).insertSkipped(c, this);
      c.commit();
    } catch (SQLException | MovedException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}
