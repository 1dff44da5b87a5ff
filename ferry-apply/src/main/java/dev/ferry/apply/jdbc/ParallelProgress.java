package dev.ferry.apply.jdbc;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.Side;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** How a parallel apply worker's group joins the progress row other workers also write. Stateless. */
final class ParallelProgress {
  private ParallelProgress() {
  }

  /**
   * The row to write when the group of {@code gtids} commits: {@code start} is the applied set the
   * group read when it opened, {@code group} that plus what the group applied, {@code row} the row
   * as it is now (read locked, after the earlier groups committed). The result holds the union of
   * both sets and the group's journal position, commit time and schema sequence (the newest: groups
   * commit in journal order, and DDL runs alone) — or, when groups commit out of order, the
   * resume point's position and commit time ({@code outOfOrder}, the row's while there is none
   * yet), so a restart reads from the first hole.
   *
   * @throws IllegalStateException if another applier committed one of the group's transactions
   *     meanwhile (two processes applying one replica)
   */
  static ReplicaPosition merge(Side side, ReplicaPosition row, GtidSet start, ReplicaPosition group,
      List<Gtid> gtids, Optional<Optional<CommitTurn.Resume>> outOfOrder) {
    GtidSet applied = row.applied();
    for (Gtid gtid : gtids) {
      if (start.contains(gtid) || !group.applied().contains(gtid)) {
        continue; // skipped by this group
      }
      if (applied.contains(gtid)) {
        throw new IllegalStateException(side.prefix(gtid + " was committed by another applier of this replica"
            + " while this one applied it: two processes must not apply one replica at once"));
      }
      applied = applied.add(gtid);
    }
    OptionalLong schema = group.schemaSequence().isPresent() ? group.schemaSequence() : row.schemaSequence();
    if (outOfOrder.isPresent()) {
      Optional<CommitTurn.Resume> resume = outOfOrder.get();
      return new ReplicaPosition(row.source(), applied, resume.map(CommitTurn.Resume::position)
          .or(row::journalPosition), schema, resume.flatMap(CommitTurn.Resume::commitTime).or(row::lastCommitTime));
    }
    return new ReplicaPosition(row.source(), applied, group.journalPosition().or(row::journalPosition), schema,
        group.lastCommitTime().or(row::lastCommitTime));
  }
}
