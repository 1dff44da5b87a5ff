package dev.ferry.node.topology;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.node.run.ReplicaSpec;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads what {@code ferry failover} compares of each replica node (docs/failover.md): what its journal
 * copy holds (each transaction's GTID and content checksum, its newest segment) and what its replicas
 * applied (their progress rows, holes included). Reads only; the node's process may run meanwhile.
 */
public final class Failover {
  private Failover() {
  }

  /**
   * One replica node as read.
   *
   * @param journalId the journal its copy belongs to
   * @param applied each replica's applied GTID set (its progress row; empty when it has none)
   * @param newestSegment the newest segment of the copy holding a transaction (0: none)
   * @param running whether a process (its {@code ferry run}) holds the copy's {@code journal.lock}
   * @param node what the choice compares
   */
  public record Inspected(NodeSpec spec, UUID journalId, Map<String, GtidSet> applied, long newestSegment,
      boolean running, FailoverChoice.Node node) {
    public Inspected {
      applied = Map.copyOf(applied);
    }
  }

  /**
   * Reads the replica node {@code spec} describes; {@code name} names it in messages (its
   * configuration file).
   *
   * @throws Promotion.RefusedException when it is no replica node, was promoted already, or holds no copy
   */
  public static Inspected inspect(String name, NodeSpec spec) throws IOException, InterruptedException {
    Path dir = spec.journal().directory().toAbsolutePath();
    if (spec.from().isEmpty()) {
      throw refused(name + ": journal.from is not set: it is no replica node (ferry failover compares the replica"
          + " nodes of one journal, each with its own configuration)");
    }
    Optional<PromotionRecord> promoted = PromotionRecord.read(dir);
    if (promoted.isPresent()) {
      throw refused(name + ": journal " + dir + " was promoted at " + promoted.get().at() + " (" + PromotionRecord.FILE
          + "): that node is a primary now, not a candidate; leave it out");
    }
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw refused(name + ": journal.dir " + dir + " holds no journal copy yet (no " + SegmentFiles.ID_FILE + ")");
    }
    UUID id = JournalInspector.journalId(dir);
    List<Divergence.Tx> copy;
    try {
      copy = Divergence.read(dir, tx -> { });
    } catch (IOException e) {
      throw new IOException(name + ": cannot read its journal copy " + dir + ": " + e.getMessage(), e);
    }
    GtidSet copySet = FailoverChoice.setOf(copy);
    Map<String, GtidSet> applied = new LinkedHashMap<>();
    GtidSet history = null;
    for (ReplicaSpec r : spec.replicas()) {
      GtidSet set;
      try {
        set = Promotion.appliedSet(r, id.toString());
      } catch (IOException e) {
        throw new IOException(name + ": " + e.getMessage(), e);
      }
      applied.put(r.name(), set);
      GtidSet after = FailoverChoice.union(set, copySet); // what promote's pass 1 leaves on it
      history = history == null ? after : FailoverChoice.intersection(history, after);
    }
    long newest = JournalInspector.list(dir).stream().filter(i -> i.recordCount() > 0)
        .mapToLong(SegmentInfo::number).max().orElse(0);
    return new Inspected(spec, id, applied, newest, held(dir),
        new FailoverChoice.Node(name, history == null ? copySet : history, copy));
  }

  /** Refuses nodes of different journals, naming the files. */
  public static void checkOneJournal(List<Inspected> nodes) throws Promotion.RefusedException {
    Inspected first = nodes.get(0);
    for (Inspected n : nodes) {
      if (!n.journalId().equals(first.journalId())) {
        throw refused(first.node().name() + " and " + n.node().name() + " hold copies of different journals ("
            + first.journalId() + ", " + n.journalId() + "): give the replica nodes of one journal");
      }
    }
  }

  private static boolean held(Path dir) throws IOException {
    Optional<Closeable> hold = Journal.hold(dir);
    if (hold.isEmpty()) {
      return true;
    }
    hold.get().close();
    return false;
  }

  private static Promotion.RefusedException refused(String message) {
    return new Promotion.RefusedException(message, List.of());
  }
}
