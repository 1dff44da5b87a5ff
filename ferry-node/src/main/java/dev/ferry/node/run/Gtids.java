package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The newest GTID of each domain, the form status keeps positions in. Stateless. */
public final class Gtids {
  private Gtids() {}

  /** The newest of {@code gtids} in each domain, ordered by domain. */
  public static List<Gtid> newestByDomain(Collection<Gtid> gtids) {
    Map<Long, Gtid> newest = new TreeMap<>();
    for (Gtid g : gtids) {
      newest.merge(g.domain(), g, (a, b) -> a.seq() >= b.seq() ? a : b);
    }
    return List.copyOf(newest.values());
  }

  /** {@code newest} with {@code gtid} in place of its domain's entry when {@code gtid} is newer. */
  public static List<Gtid> with(List<Gtid> newest, Gtid gtid) {
    for (int i = 0; i < newest.size(); i++) {
      Gtid g = newest.get(i);
      if (g.domain() == gtid.domain()) {
        if (g.seq() >= gtid.seq()) {
          return newest;
        }
        Gtid[] copy = newest.toArray(new Gtid[0]);
        copy[i] = gtid;
        return List.of(copy);
      }
    }
    List<Gtid> all = new ArrayList<>(newest);
    all.add(gtid);
    return newestByDomain(all);
  }

  /**
   * The highest sequence number of each domain of {@code applied}, as GTIDs of {@code serverId}
   * (a GTID set keeps no server ids).
   */
  public static List<Gtid> newestOf(GtidSet applied, long serverId) {
    return applied.domains().stream().flatMap(d -> applied.highest(d).stream().map(seq -> new Gtid(d, serverId, seq)))
        .sorted(Comparator.comparingLong(Gtid::domain)).toList();
  }
}
