package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Gtid;
import dev.ferry.apply.LastApplied;
import dev.ferry.journal.model.JournalPosition;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When an applier that shares its target with others (a parallel apply worker) may commit a
 * group: {@link #await} blocks until every transaction before the group's has committed, so the
 * replica is only ever seen in a state the primary had. Thread-safe: each worker calls it from its
 * own thread.
 */
public interface CommitTurn {
  /**
   * Blocks until the group of {@code gtids} (journal order, consecutive) may commit.
   *
   * @throws SQLException if it must not commit at all (an earlier transaction failed, or the wait
   *     was interrupted); the group is rolled back
   */
  void await(List<Gtid> gtids) throws SQLException;

  /**
   * Waits at most {@code patience} for the turn of the group of {@code gtids}; whether it came.
   *
   * @throws SQLException as {@link #await(List)}
   */
  boolean await(List<Gtid> gtids, java.time.Duration patience) throws SQLException;

  /** The group of {@code gtids} has committed. */
  void committed(List<Gtid> gtids);

  /**
   * Where a restart must resume when groups commit out of order: the journal position after the
   * longest run of transactions that have all committed, with the last of them (GTID, checksum,
   * commit time). When groups commit out of order a group writes it instead of its own; empty
   * until the first such run is known (the row's position stays).
   */
  Optional<Resume> resumeAt();

  /** Whether groups commit in journal order (then a group's own position is the resume point). */
  boolean inOrder();

  /** A point every transaction before which has committed. */
  record Resume(JournalPosition position, Optional<LastApplied> last, Optional<Instant> commitTime) {
  }
}
