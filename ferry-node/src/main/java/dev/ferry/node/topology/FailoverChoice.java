package dev.ferry.node.topology;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which replica node of one journal {@code ferry failover} promotes (docs/failover.md, "At 3 a.m."):
 * the node whose history <b>contains</b> every other node's. Node {@code c} contains node {@code o}
 * when every GTID {@code o} holds is in {@code c}'s history, and every transaction both journal
 * copies still hold has the same GTID (server id included) and the same content checksum in both: a
 * node that received other transactions under the same sequence numbers (another history, after an
 * earlier promotion) is not contained, however many GTIDs it holds. Pure and immutable: the nodes are
 * read by {@link Failover}.
 */
public final class FailoverChoice {
  private FailoverChoice() {
  }

  /**
   * One replica node as the choice needs it.
   *
   * @param name how messages name it (its configuration file)
   * @param history what its replicas will hold once they applied the whole copy (each replica's
   *     applied set plus the copy, and of several replicas what all of them hold): holes included
   * @param copy the transactions its journal copy still holds, in journal order
   */
  public record Node(String name, GtidSet history, List<Divergence.Tx> copy) {
    public Node {
      copy = List.copyOf(copy);
    }
  }

  /** GTIDs {@code from..to} of one domain (one GTID when equal), named with a node's server ids. */
  public record GtidRange(Gtid from, Gtid to) {
    public long count() {
      return to.seq() - from.seq() + 1;
    }

    @Override
    public String toString() {
      return from.equals(to) ? from.toString() : from + ".." + to;
    }
  }

  /**
   * A transaction both copies hold under one sequence number, with other content.
   *
   * @param theirs the other node's transaction
   * @param chosen the chosen node's transaction of that sequence number
   */
  public record Conflict(Gtid theirs, long theirChecksum, Gtid chosen, long chosenChecksum) {
    @Override
    public String toString() {
      return theirs + " (content checksum " + Long.toHexString(theirChecksum) + ", the chosen node holds " + chosen
          + " with " + Long.toHexString(chosenChecksum) + ")";
    }
  }

  /**
   * What node {@code node} is, measured against the chosen one.
   *
   * @param lacks what the chosen node holds and this one does not: what it receives when re-pointed
   * @param onlyHere what this node holds and the chosen one does not: lost when the chosen one is promoted
   * @param conflict the first transaction both copies hold with other content: another history
   * @param notServed of {@code lacks}, what the chosen node's copy no longer holds (applied and purged),
   *     so this node cannot fetch it from there
   */
  public record Verdict(String node, List<GtidRange> lacks, List<GtidRange> onlyHere, Optional<Conflict> conflict,
      List<GtidRange> notServed) {
    public Verdict {
      lacks = List.copyOf(lacks);
      onlyHere = List.copyOf(onlyHere);
      notServed = List.copyOf(notServed);
    }

    /** Whether the chosen node contains this one's history. */
    public boolean contained() {
      return onlyHere.isEmpty() && conflict.isEmpty();
    }

    /** Whether it can follow the chosen node once re-pointed (else it must be seeded again). */
    public boolean canFollow() {
      return contained() && notServed.isEmpty();
    }
  }

  /**
   * The choice.
   *
   * @param chosen the node to promote
   * @param containsAll whether its history contains every other node's (else promoting it loses
   *     what {@link Verdict#onlyHere} and {@link Verdict#conflict} name)
   * @param others every other node, in the order given
   * @param holes GTIDs missing in the chosen node's history below a higher one that no node holds
   */
  public record Plan(Node chosen, boolean containsAll, List<Verdict> others, List<GtidRange> holes) {
    public Plan {
      others = List.copyOf(others);
      holes = List.copyOf(holes);
    }
  }

  /**
   * Chooses among {@code nodes} (at least one, in the order given): of the nodes that contain all
   * others, the one most others can follow (the first on a tie); when none contains all others, the
   * one whose promotion loses the fewest GTIDs.
   */
  public static Plan choose(List<Node> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no replica node to choose from");
    }
    List<View> views = nodes.stream().map(View::of).toList();
    Plan best = null;
    long bestScore = Long.MAX_VALUE;
    for (View candidate : views) {
      Plan plan = planFor(candidate, views);
      long lost = 0;
      long cannotFollow = 0;
      for (Verdict v : plan.others()) {
        lost += v.onlyHere().stream().mapToLong(GtidRange::count).sum() + (v.conflict().isPresent() ? 1 : 0);
        cannotFollow += v.canFollow() ? 0 : 1;
      }
      long score = (plan.containsAll() ? 0 : 1L << 40) + lost * views.size() + cannotFollow;
      if (score < bestScore) {
        best = plan;
        bestScore = score;
      }
    }
    return best;
  }

  /** What {@code chosen} is against every other node, as {@link #choose} would report it. */
  public static Plan planFor(Node chosen, List<Node> nodes) {
    return planFor(View.of(chosen), nodes.stream().map(View::of).toList());
  }

  private static Plan planFor(View chosen, List<View> all) {
    List<Verdict> others = new ArrayList<>();
    GtidSet everyone = chosen.node.history();
    for (View o : all) {
      if (o.node == chosen.node) {
        continue;
      }
      Verdict v = new Verdict(o.node.name(), chosen.name(minus(chosen.node.history(), o.node.history())),
          o.name(minus(o.node.history(), chosen.node.history())), firstConflict(chosen, o),
          chosen.name(minus(minus(chosen.node.history(), o.node.history()), chosen.copySet)));
      others.add(v);
      everyone = union(everyone, o.node.history());
    }
    List<Run> holes = new ArrayList<>();
    for (GtidSet.Hole h : chosen.node.history().holes()) {
      holes.add(new Run(h.domain(), h.from(), h.to()));
    }
    List<Run> nobody = minus(holes, runs(everyone));
    boolean containsAll = others.stream().allMatch(Verdict::contained);
    return new Plan(chosen.node, containsAll, others, chosen.name(nobody));
  }

  /** The first transaction (in {@code here}'s journal order) both copies hold with another GTID or content. */
  private static Optional<Conflict> firstConflict(View here, View there) {
    for (Divergence.Tx t : there.node.copy()) {
      Divergence.Tx mine = here.tx(t.gtid().domain(), t.gtid().seq());
      if (mine != null && (!mine.gtid().equals(t.gtid()) || mine.checksum() != t.checksum())) {
        return Optional.of(new Conflict(t.gtid(), t.checksum(), mine.gtid(), mine.checksum()));
      }
    }
    return Optional.empty();
  }

  /** Sequence numbers {@code from..to} of {@code domain}. */
  record Run(long domain, long from, long to) {
  }

  /** The set as runs, ascending by domain and sequence number. */
  static List<Run> runs(GtidSet set) {
    List<Run> runs = new ArrayList<>();
    List<GtidSet.Hole> holes = set.holes();
    for (long domain : set.domains()) {
      long next = 1;
      long highest = set.highest(domain).orElse(0L);
      for (GtidSet.Hole h : holes) {
        if (h.domain() == domain) {
          if (h.from() > next) {
            runs.add(new Run(domain, next, h.from() - 1));
          }
          next = h.to() + 1;
        }
      }
      if (highest >= next) {
        runs.add(new Run(domain, next, highest));
      }
    }
    return runs;
  }

  static List<Run> minus(GtidSet a, GtidSet b) {
    return minus(runs(a), runs(b));
  }

  static List<Run> minus(List<Run> a, GtidSet b) {
    return minus(a, runs(b));
  }

  private static List<Run> minus(List<Run> a, List<Run> b) {
    List<Run> left = new ArrayList<>();
    for (Run r : a) {
      long from = r.from();
      for (Run cut : b) {
        if (cut.domain() != r.domain() || cut.to() < from || cut.from() > r.to()) {
          continue;
        }
        if (cut.from() > from) {
          left.add(new Run(r.domain(), from, cut.from() - 1));
        }
        from = Math.max(from, cut.to() + 1);
      }
      if (from <= r.to()) {
        left.add(new Run(r.domain(), from, r.to()));
      }
    }
    return left;
  }

  static GtidSet union(GtidSet a, GtidSet b) {
    GtidSet set = a;
    for (Run r : runs(b)) {
      set = set.addRange(r.domain(), r.from(), r.to());
    }
    return set;
  }

  /** What both sets hold. */
  public static GtidSet intersection(GtidSet a, GtidSet b) {
    GtidSet set = GtidSet.empty();
    for (Run r : minus(runs(a), minus(a, b))) {
      set = set.addRange(r.domain(), r.from(), r.to());
    }
    return set;
  }

  /** The set of GTIDs {@code copy} holds. */
  public static GtidSet setOf(List<Divergence.Tx> copy) {
    GtidSet set = GtidSet.empty();
    for (Divergence.Tx t : copy) {
      set = set.add(t.gtid());
    }
    return set;
  }

  /** A node with its copy indexed by domain and sequence number. */
  private record View(Node node, Map<Long, TreeMap<Long, Divergence.Tx>> txs, GtidSet copySet) {
    static View of(Node node) {
      Map<Long, TreeMap<Long, Divergence.Tx>> txs = new HashMap<>();
      for (Divergence.Tx t : node.copy()) {
        txs.computeIfAbsent(t.gtid().domain(), d -> new TreeMap<>()).put(t.gtid().seq(), t);
      }
      return new View(node, txs, setOf(node.copy()));
    }

    Divergence.Tx tx(long domain, long seq) {
      TreeMap<Long, Divergence.Tx> d = txs.get(domain);
      return d == null ? null : d.get(seq);
    }

    /** A GTID of this node: its copy's server id there, else of the copy's next (or last) transaction. */
    Gtid gtid(long domain, long seq) {
      TreeMap<Long, Divergence.Tx> d = txs.get(domain);
      if (d == null || d.isEmpty()) {
        return new Gtid(domain, 1, seq);
      }
      Map.Entry<Long, Divergence.Tx> near = d.ceilingEntry(seq);
      return new Gtid(domain, (near != null ? near.getValue() : d.lastEntry().getValue()).gtid().serverId(), seq);
    }

    List<GtidRange> name(List<Run> runs) {
      return runs.stream().map(r -> new GtidRange(gtid(r.domain(), r.from()), gtid(r.domain(), r.to()))).toList();
    }
  }
}
