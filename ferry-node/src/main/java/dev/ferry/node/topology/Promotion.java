package dev.ferry.node.topology;

import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.sync.InitialSync;
import dev.ferry.transport.archive.ArchiveConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferry promote}: turns a replica node (its journal a copy received through
 * {@code journal.from}) into the first step of a new primary, as a procedure of numbered passes,
 * each logged, each safe to run again after a crash:
 *
 * <ol>
 *   <li>apply everything the journal copy holds to every replica of the node;
 *   <li>read each replica's applied GTID set: a hole (a GTID missing below a higher one) refuses,
 *       naming the GTIDs, unless {@code --accept-loss};
 *   <li>plan: the branch point (the copy's last GTID) and, for every sequence the copy advanced, its
 *       highest value plus a gap; written durably to {@link PromotionRecord} as {@code started};
 *   <li>per replica, in one transaction: the sequences set to the plan (never moved back), SQLite
 *       {@code AUTOINCREMENT} counters raised by the gap above the highest id used, and the
 *       read-only mode lifted;
 *   <li>the record marked {@code done}.
 * </ol>
 *
 * <p>Runs with the node stopped: it holds the copy's {@code journal.lock} throughout, so it refuses
 * while {@code ferry run} (or another promote) holds it, and neither can start meanwhile. Not
 * thread-safe.
 */
public final class Promotion {
  private static final Logger log = LoggerFactory.getLogger(Promotion.class);

  /**
   * @param acceptLoss promote even though GTIDs are missing (they are recorded as lost)
   * @param sequenceGap how far above the highest value seen each sequence is set: room for values
   *     the old primary handed out after the last transaction the copy holds (rolled back or not
   *     yet shipped)
   * @param applyTimeout how long applying the copy may take
   * @param capture prepare capture (publication, slot) on the one promoted replica's database before
   *     it becomes writable, so it continues this journal as its source ({@code --capture})
   */
  public record Options(boolean acceptLoss, long sequenceGap, Duration applyTimeout, boolean capture) {
    public static final long DEFAULT_GAP = 10_000;

    public Options {
      if (sequenceGap < 0) {
        throw new IllegalArgumentException("sequence gap must not be negative, got " + sequenceGap);
      }
    }

    public Options(boolean acceptLoss, long sequenceGap, Duration applyTimeout) {
      this(acceptLoss, sequenceGap, applyTimeout, false);
    }
  }

  /** Promotion refused before anything was changed beyond applying the copy: names what is wrong. */
  public static final class RefusedException extends IOException {
    private final List<PromotionRecord.Lost> missing;

    RefusedException(String message, List<PromotionRecord.Lost> missing) {
      super(message);
      this.missing = List.copyOf(missing);
    }

    public List<PromotionRecord.Lost> missing() {
      return missing;
    }
  }

  private Promotion() {
  }

  /**
   * Promotes the node {@code spec} describes ({@code names}: its replicas to promote, all when empty).
   *
   * @return the record, {@code done}; an earlier promotion's record unchanged when it was done already
   * @throws RefusedException when not a replica node, a process holds the copy, a replica was never
   *     seeded, or GTIDs are missing without {@code acceptLoss}
   */
  public static PromotionRecord promote(NodeSpec spec, List<String> names, Options options)
      throws IOException, InterruptedException {
    Path dir = spec.journal().directory().toAbsolutePath();
    Side side = Side.journal(dir);
    Optional<PromotionRecord> earlier = PromotionRecord.read(dir);
    if (earlier.isPresent() && earlier.get().done()) {
      log.info("{} already promoted at {}: branch point {}", side, earlier.get().at(), earlier.get().branchPoint());
      return earlier.get();
    }
    if (spec.from().isEmpty() && earlier.isEmpty()) {
      throw new RefusedException("journal " + dir + " is no journal copy (journal.from is not set): only a replica "
          + "node is promoted", List.of());
    }
    Optional<java.io.Closeable> hold = Journal.hold(dir);
    if (hold.isEmpty()) {
      throw new RefusedException("journal " + dir + " is held by another process (a running 'ferry run' of this "
          + "node, or another 'ferry promote'): stop it first (it holds " + SegmentFiles.lockFile(dir) + ")",
          List.of());
    }
    try (java.io.Closeable held = hold.get()) {
      return promoteLocked(spec, names, options, earlier);
    }
  }

  /** The passes, with the copy locked against 'ferry run' and another promote. */
  private static PromotionRecord promoteLocked(NodeSpec spec, List<String> names, Options options,
      Optional<PromotionRecord> earlier) throws IOException, InterruptedException {
    Path dir = spec.journal().directory().toAbsolutePath();
    Side side = Side.journal(dir);
    String journalId = JournalInspector.journalId(dir).toString();
    List<ReplicaSpec> replicas = selected(spec, names);
    Optional<ContinuedCapture> capture = options.capture() ? Optional.of(ContinuedCapture.of(spec, replicas))
        : Optional.empty();
    checkSameCapture(earlier, options.capture());
    log.info("{} promote, pass 1 (apply the copy): replicas {}", side, replicas.stream().map(ReplicaSpec::name).toList());
    applyAll(spec, replicas, options.applyTimeout());
    log.info("{} promote, pass 2 (check for missing GTIDs)", side);
    CopyContents copy = CopyContents.scan(dir);
    Map<String, String> applied = new LinkedHashMap<>();
    List<PromotionRecord.Lost> lost = missing(replicas, journalId, copy, applied);
    if (!lost.isEmpty() && !options.acceptLoss()) {
      throw new RefusedException("cannot promote: GTIDs " + lost + " are missing (applied: " + applied
          + "); nothing was changed on the replicas beyond applying the copy. Find them (a sibling replica, the "
          + "old primary's journal) and apply them, or run 'ferry promote --accept-loss' to promote without them "
          + "(they are then recorded as lost)", lost);
    }
    PromotionRecord plan = earlier.orElseGet(() -> new PromotionRecord(journalId, PromotionRecord.STARTED,
        Instant.now(), copy.last(), applied, lost, copy.sequencesPlusGap(options.sequenceGap()),
        capture.map(ContinuedCapture::record)));
    if (earlier.isEmpty()) {
      plan.write(dir);
    }
    log.info("{} promote, pass 3 (plan): branch point {}, sequences {}", side,
        plan.branchPoint().map(Gtid::toString).orElse("none (empty copy)"), plan.sequences());
    if (!plan.lost().isEmpty()) {
      log.warn("{} promoting with --accept-loss: GTIDs {} are lost (never received by this node)", side, plan.lost());
    }
    for (ReplicaSpec r : replicas) {
      boolean captured = capture.isPresent() && capture.get().replica().name().equals(r.name());
      if (captured) {
        log.info("{} promote, pass 4 (capture): slot {} on {}, before it becomes writable", side,
            capture.get().record().slot(), r.side());
        capture.get().prepare(copy.schemaSequence());
      }
      log.info("{} promote, pass 4 (sequences, read-write): {}", side, r.side());
      makePrimary(r, plan, options.sequenceGap(), captured);
      if (captured && Journal.removeConsumer(dir, r.name())) {
        // It writes the journal from now on: its apply position would keep every segment forever.
        log.info("{} promote, pass 4: {} no longer holds the journal as a consumer", side, r.side());
      }
    }
    PromotionRecord done = plan.finished();
    done.write(dir);
    log.info("{} promote, pass 5 (done): recorded in {}", side, dir.resolve(PromotionRecord.FILE));
    return done;
  }

  /** Pass 2: each replica's applied set into {@code applied}; returns the GTIDs missing in any of them. */
  private static List<PromotionRecord.Lost> missing(List<ReplicaSpec> replicas, String journalId, CopyContents copy,
      Map<String, String> applied) throws IOException {
    List<PromotionRecord.Lost> lost = new ArrayList<>();
    for (ReplicaSpec r : replicas) {
      GtidSet set = appliedSet(r, journalId);
      applied.put(r.name(), set.toString());
      for (GtidSet.Hole h : set.holes()) {
        long server = copy.serverOf(h.domain());
        PromotionRecord.Lost l = new PromotionRecord.Lost(new Gtid(h.domain(), server, h.from()),
            new Gtid(h.domain(), server, h.to()));
        if (!lost.contains(l)) {
          lost.add(l);
        }
      }
    }
    return lost;
  }

  private static List<ReplicaSpec> selected(NodeSpec spec, List<String> names) throws RefusedException {
    List<ReplicaSpec> all = spec.replicas();
    for (String n : names) {
      if (all.stream().noneMatch(r -> r.name().equals(n))) {
        throw new RefusedException("no replica " + n + " in this node (it has "
            + all.stream().map(ReplicaSpec::name).toList() + ")", List.of());
      }
    }
    List<ReplicaSpec> chosen = all.stream().filter(r -> names.isEmpty() || names.contains(r.name())).toList();
    if (chosen.isEmpty()) {
      throw new RefusedException("this node has no replica to promote", List.of());
    }
    return chosen;
  }

  /** Pass 1: applies the copy to the end with the node's own replica runners, then stops them. */
  private static void applyAll(NodeSpec spec, List<ReplicaSpec> replicas, Duration timeout)
      throws IOException, InterruptedException {
    Path dir = spec.journal().directory();
    for (ReplicaSpec r : replicas) {
      if (InitialSync.needsSeed(r, dir)) {
        throw new RefusedException(r.side() + " was never seeded: it holds nothing of journal "
            + JournalInspector.journalId(dir) + " to promote", List.of());
      }
    }
    NodeSpec local = new NodeSpec(spec.source(), spec.journal(), ArchiveConfig.defaults(), replicas, Optional.empty(),
        Optional.empty());
    try (FerryNode node = FerryNode.start(local, FerryNode.Role.APPLY,
        replicas.stream().map(ReplicaSpec::name).toList())) {
      if (!node.awaitCaughtUp(timeout)) {
        List<String> why = new ArrayList<>();
        for (NodeStatus.Replica r : node.status().replicas()) {
          why.add(r.name() + ": " + r.state() + r.lastError().map(e -> " (" + e + ")").orElse(""));
        }
        throw new IOException("cannot promote: the replicas did not apply the whole journal copy within " + timeout
            + ": " + why);
      }
    }
  }

  static GtidSet appliedSet(ReplicaSpec r, String journalId) throws IOException {
    try (Connection c = r.connect()) {
      ControlTables tables = Dialect.of(c).controlTables();
      Optional<ControlTables.Progress> row = tables.readProgress(c, journalId);
      return row.map(p -> GtidSet.parse(p.appliedGtids())).orElse(GtidSet.empty());
    } catch (SQLException e) {
      throw new IOException(r.side() + " cannot read its progress: " + e.getMessage(), e);
    }
  }

  /** A re-run after a crash follows the plan it wrote: with capture prepared, or without. */
  private static void checkSameCapture(Optional<PromotionRecord> earlier, boolean capture) throws RefusedException {
    if (earlier.isPresent() && earlier.get().capture().isPresent() != capture) {
      throw new RefusedException("this promotion was started " + (capture ? "without" : "with") + " --capture ("
          + PromotionRecord.FILE + " says so): run 'ferry promote' again " + (capture ? "without" : "with")
          + " --capture to finish it", List.of());
    }
  }

  /**
   * Pass 4 for one replica, in one transaction (on MariaDB, whose DDL and {@code SET GLOBAL} commit
   * on their own, in steps each safe to repeat): the plan's sequences, the target's own
   * AUTOINCREMENT / AUTO_INCREMENT counters raised by {@code gap} (planned once, kept on the
   * target), the read-only mode lifted;
   * re-running it changes nothing more. When {@code captured} (the replica continues the journal as
   * a source) the session is marked with Ferry's replication origin first (SQLite: the
   * transaction is enclosed in Ferry's applied marks), so that capture skips this transaction
   * (dropping the read-only guards is DDL that must not reach the other replicas).
   */
  private static void makePrimary(ReplicaSpec r, PromotionRecord plan, long gap, boolean captured) throws IOException {
    try (Connection c = r.connect()) {
      Dialect dialect = Dialect.of(c);
      c.setAutoCommit(true);
      dialect.prepareSession(c, false, r.name()); // Ferry's session writes whatever the read-only default says
      if (captured) {
        dialect.markApplySession(c, plan.journalId(), r.name());
      }
      c.setAutoCommit(false);
      if (captured) {
        dialect.markApplied(c, true); // SQLite: between Ferry's marks in the change table, which capture skips
      }
      for (Map.Entry<String, Long> s : plan.sequences().entrySet()) {
        TableId sequence = TableId.parse(s.getKey());
        if (r.apply().filter().accepts(sequence) && !dialect.catalog().advanceSequence(c, sequence, s.getValue())) {
          log.warn("{} promote, pass 4: sequence {} is not on this replica, not set to {}", r.side(), sequence,
              s.getValue());
        }
      }
      List<String> raised = dialect.catalog().raiseAutoIncrement(c, plan.journalId(), gap);
      if (!raised.isEmpty()) {
        log.info("{} promote, pass 4: AUTOINCREMENT counters raised by {}: {}", r.side(), gap, raised);
      }
      dialect.liftReadOnly(c, r.name());
      if (captured) {
        dialect.markApplied(c, false);
      }
      c.commit();
    } catch (SQLException e) {
      throw new IOException(r.side() + " cannot set its sequences or make it writable: " + e.getMessage(), e);
    }
  }

  /**
   * What the journal copy holds: its last GTID, each domain's server, each sequence's highest value,
   * the highest schema sequence.
   */
  private record CopyContents(Optional<Gtid> last, Map<Long, Long> servers, Map<String, Long> sequences,
      long schemaSequence) {
    static CopyContents scan(Path dir) throws IOException, InterruptedException {
      Optional<Gtid> last = Optional.empty();
      Map<Long, Long> servers = new LinkedHashMap<>();
      Map<String, Long> sequences = new LinkedHashMap<>();
      long schema = 0;
      try (JournalReader reader = JournalReader.openAtOldest(dir)) {
        Optional<JournalTransaction> tx;
        while ((tx = reader.next(Duration.ZERO)).isPresent()) {
          Gtid g = tx.get().gtid();
          last = Optional.of(g);
          schema = Math.max(schema, tx.get().schemaSequence());
          servers.put(g.domain(), g.serverId());
          try (ChangeCursor changes = tx.get().changes()) {
            while (changes.advance()) {
              if (changes.current() instanceof Change.SequenceAdvance s) {
                sequences.merge(s.sequence().toString(), s.value(), Math::max);
              }
            }
          }
        }
      }
      return new CopyContents(last, servers, sequences, schema);
    }

    long serverOf(long domain) {
      return servers.getOrDefault(domain, last.map(Gtid::serverId).orElse(1L));
    }

    Map<String, Long> sequencesPlusGap(long gap) {
      Map<String, Long> planned = new LinkedHashMap<>();
      sequences.forEach((name, value) -> planned.put(name, value > Long.MAX_VALUE - gap ? Long.MAX_VALUE : value + gap));
      return planned;
    }
  }
}
