package dev.ferry.apply.jdbc;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.List;
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
   * commit in journal order, and DDL runs alone).
   *
   * @throws IllegalStateException if another applier committed one of the group's transactions
   *     meanwhile (two processes applying one replica)
   */
  static ReplicaPosition merge(String prefix, ReplicaPosition row, GtidSet start, ReplicaPosition group,
      List<Gtid> gtids) {
    GtidSet applied = row.applied();
    for (Gtid gtid : gtids) {
      if (start.contains(gtid) || !group.applied().contains(gtid)) {
        continue; // skipped by this group
      }
      if (applied.contains(gtid)) {
        throw new IllegalStateException(prefix + gtid + " was committed by another applier of this replica while"
            + " this one applied it: two processes must not apply one replica at once");
      }
      applied = applied.add(gtid);
    }
    OptionalLong schema = group.schemaSequence().isPresent() ? group.schemaSequence() : row.schemaSequence();
    return new ReplicaPosition(row.source(), applied, group.journalPosition().or(row::journalPosition), schema,
        group.lastCommitTime().or(row::lastCommitTime));
  }
}
