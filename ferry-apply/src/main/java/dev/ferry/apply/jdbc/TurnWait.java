package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parallel worker's wait for its commit turn, which must not wait for ever on a transaction
 * that waits for it. The scheduler runs at once only transactions with disjoint write sets, but the
 * target may lock more than those keys — a trigger on the replica updating a shared row, an
 * InnoDB gap lock — and then an earlier transaction can wait for a row lock this group holds
 * while this group waits for the earlier one to commit: the target sees no deadlock (one of the
 * waits is in Ferry), and nothing would go on. So every {@link #PATIENCE} of waiting the group
 * asks the target whether another session waits for one of its locks ({@link
 * Dialect#blocksAnotherSession}); if so it {@linkplain Yield yields}: it rolls back, releasing its
 * locks, waits for its turn holding none, and runs again (as the first in commit order, it can
 * block no earlier transaction). No attempt of the retry count is used up. One per applier, used by
 * its thread.
 */
final class TurnWait {
  private static final Logger log = LoggerFactory.getLogger(TurnWait.class);
  /** How long a group waits for its turn before asking whether it blocks another session. */
  static final Duration PATIENCE = Duration.ofMillis(200);

  private final Side side;
  /** The open group gave way: its next attempt starts at its turn. */
  private boolean yielded;

  TurnWait(Side side) {
    this.side = side;
  }

  /**
   * Blocks until the group of {@code gtids}, open on {@code c}, may commit.
   *
   * @throws Yield if another session waits for one of the group's locks meanwhile (the caller
   *     rolls the group back and runs it again)
   * @throws SQLException if it must not commit (an earlier transaction failed)
   */
  void await(CommitTurn turn, List<Gtid> gtids, Connection c, Dialect dialect) throws SQLException, Yield {
    while (!turn.await(gtids, PATIENCE)) {
      if (dialect.blocksAnotherSession(c)) {
        yielded = true;
        log.debug("{} the group from {} waits for its commit turn holding a lock another session waits for:"
            + " rolled back, to run again at its turn", side, gtids.get(0));
        throw new Yield();
      }
    }
  }

  /** Before a group's attempt: after a yield, waits for the turn of the group's {@code gtids}, holding no lock. */
  void afterYield(Optional<CommitTurn> turn, Supplier<List<Gtid>> gtids) throws SQLException {
    if (yielded && turn.isPresent()) {
      turn.get().await(gtids.get());
    }
    yielded = false;
  }

  /** The group waits for its turn while holding a lock another session waits for: roll back, run again. */
  static final class Yield extends Exception {
    private static final long serialVersionUID = 1L;

    Yield() {
      super("gave way to an earlier transaction", null, false, false);
    }
  }
}
