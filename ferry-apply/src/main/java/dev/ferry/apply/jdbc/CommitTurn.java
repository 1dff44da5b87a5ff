package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Gtid;
import java.sql.SQLException;
import java.util.List;

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

  /** The group of {@code gtids} has committed. */
  void committed(List<Gtid> gtids);
}
