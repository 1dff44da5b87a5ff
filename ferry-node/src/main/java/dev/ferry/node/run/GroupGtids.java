package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The GTIDs of the transactions applied in the open target transaction (a group), kept as runs of
 * consecutive sequence numbers: adding the next GTID of a run costs a comparison and no allocation,
 * and the group is added to the applied set one run at a time when it commits. Status needs every
 * GTID of a group, not only its last one, or it shows holes the target does not have.
 *
 * <p>Not thread-safe: the runner's thread only.
 */
final class GroupGtids {
  /** Sequence numbers {@code from..last.seq()} of {@code last}'s domain. */
  private static final class Run {
    private final long from;
    private Gtid last;

    Run(Gtid first) {
      this.from = first.seq();
      this.last = first;
    }
  }

  private final List<Run> runs = new ArrayList<>(1);

  /** Records {@code gtid} as applied in the open group. */
  void add(Gtid gtid) {
    if (!runs.isEmpty()) {
      Run run = runs.get(runs.size() - 1);
      if (run.last.domain() == gtid.domain() && run.last.seq() + 1 == gtid.seq()) {
        run.last = gtid;
        return;
      }
    }
    runs.add(new Run(gtid));
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  /** {@code applied} plus every GTID of the group. */
  GtidSet addTo(GtidSet applied) {
    GtidSet set = applied;
    for (Run run : runs) {
      set = set.addRange(run.last.domain(), run.from, run.last.seq());
    }
    return set;
  }

  /** {@code newest} (the newest GTID of each domain) with the group's. */
  List<Gtid> addTo(List<Gtid> newest) {
    List<Gtid> list = newest;
    for (Run run : runs) {
      list = Gtids.with(list, run.last);
    }
    return list;
  }

  /** The group's last GTID (journal order). */
  Gtid last() {
    return runs.get(runs.size() - 1).last;
  }

  /** Empties the group once it committed (or was given up). */
  void clear() {
    runs.clear();
  }
}
