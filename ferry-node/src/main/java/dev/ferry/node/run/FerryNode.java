package dev.ferry.node.run;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.apply.sync.CopyProgress;
import dev.ferry.capture.Capture;
import dev.ferry.capture.JournalSink;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Tag;
import dev.ferry.node.sync.InitialSync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Ferry process: capture of the source into the journal, apply of the journal to the
 * replicas, or both ({@code ferry run}, {@code ferry capture}, {@code ferry apply}). Public methods
 * are thread-safe.
 */
public final class FerryNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FerryNode.class);

  /** Which halves this process runs. */
  public enum Role { RUN, CAPTURE, APPLY }

  private final NodeSpec spec;
  private final Optional<Journal> journal;
  private final Shipping shipping;
  private final Optional<CopyLink> link;
  private volatile String journalId;
  private final InstantSource clock;
  private final Optional<TrackingSink> sink;
  private final Optional<Capture> capture;
  private final RetainedLog retainedLog;
  private final List<ReplicaRunner> replicas = new CopyOnWriteArrayList<>();
  /** The {@link ReplicaLock}s of the replicas this node applies, released when it stops. */
  private final List<ReplicaLock> locks = new CopyOnWriteArrayList<>();
  /** The initial syncs running now, by replica name, for status. */
  private final Map<String, CopyProgress> seeding = new ConcurrentHashMap<>();
  private final Map<String, CatchUpEstimator> catchUps = new ConcurrentHashMap<>();
  private volatile NodeObserver observer = NodeObserver.NONE;
  private volatile Supplier<List<NodeStatus.Operation>> operations = List::of;

  private FerryNode(NodeSpec spec, Optional<Journal> journal, Shipping shipping, String journalId,
      InstantSource clock, Optional<TrackingSink> sink, Optional<Capture> capture) {
    this(spec, journal, shipping, Optional.empty(), journalId, clock, sink, capture);
  }

  private FerryNode(NodeSpec spec, Optional<Journal> journal, Shipping shipping, Optional<CopyLink> link,
      String journalId, InstantSource clock, Optional<TrackingSink> sink, Optional<Capture> capture) {
    this.spec = spec;
    this.journal = journal;
    this.shipping = shipping;
    this.link = link;
    this.journalId = journalId;
    this.clock = clock;
    this.sink = sink;
    this.capture = capture;
    this.retainedLog = new RetainedLog(spec.source()::retainedLogBytes);
  }

  /**
   * Starts {@code role}: for {@link Role#RUN} and {@link Role#CAPTURE} opens (or creates) the
   * journal and starts capture; for {@link Role#RUN} and {@link Role#APPLY} starts the replicas
   * named in {@code replicas} (all when empty). A replica node ({@link NodeSpec#from()} set) runs
   * only as {@link Role#RUN}: it receives its journal copy and applies it, and captures nothing.
   */
  public static FerryNode start(NodeSpec spec, Role role, List<String> replicas) throws IOException {
    return start(spec, role, replicas, NodeObserver.NONE);
  }

  /** As {@link #start(NodeSpec, Role, List)}, telling {@code observer} what it times (metrics). */
  public static FerryNode start(NodeSpec spec, Role role, List<String> replicas, NodeObserver observer)
      throws IOException {
    InstantSource clock = InstantSource.system();
    Path dir = spec.journal().directory();
    if (spec.from().isPresent() && role != Role.RUN) {
      throw new IllegalArgumentException("journal.from is set: this node receives its journal and applies it;"
          + " start it with 'ferry run'");
    }
    if (role == Role.APPLY) {
      existingJournal(dir);
    }
    List<ReplicaLock> held = role == Role.CAPTURE ? List.of() : ReplicaLock.holdAll(dir, applied(spec, replicas));
    try {
      FerryNode node = spec.from().isPresent() ? startReplicaNode(spec, replicas, clock, observer)
          : startOnJournal(spec, role, replicas, clock, observer);
      node.locks.addAll(held);
      return node;
    } catch (IOException | RuntimeException e) {
      ReplicaLock.releaseAll(held);
      throw e;
    }
  }

  /** The names of the replicas a node applies: {@code replicas}, or every configured one when empty. */
  private static List<String> applied(NodeSpec spec, List<String> replicas) {
    return spec.replicas().stream().map(ReplicaSpec::name)
        .filter(n -> replicas.isEmpty() || replicas.contains(n)).toList();
  }

  /** A replica node: it receives its journal copy and applies it, and captures nothing. */
  private static FerryNode startReplicaNode(NodeSpec spec, List<String> replicas, InstantSource clock,
      NodeObserver observer) throws IOException {
    FerryNode node = new FerryNode(spec, Optional.empty(), Shipping.NONE,
        Optional.of(CopyLink.start(spec, replicas)), "", clock, Optional.empty(), Optional.empty());
    node.observer = observer;
    node.link.orElseThrow().startReplicasOnceCopied(node::startReplicasOnCopy);
    log.info("{} replica node started: journal copy from {}", Side.journal(spec.journal().directory()),
        node.link.orElseThrow().status().name());
    return node;
  }

  /** A node on its own journal: it captures into it ({@link Role#RUN}, {@link Role#CAPTURE}), applies it, or both. */
  private static FerryNode startOnJournal(NodeSpec spec, Role role, List<String> replicas, InstantSource clock,
      NodeObserver observer) throws IOException {
    Optional<Journal> journal = Optional.empty();
    Shipping shipping = Shipping.NONE;
    Optional<TrackingSink> sink = Optional.empty();
    Optional<Capture> capture = Optional.empty();
    String journalId;
    if (role == Role.APPLY) {
      journalId = JournalInspector.journalId(spec.journal().directory()).toString();
    } else {
      Optional<PromotionRecord> promoted = PromotedJournal.check(spec);
      Files.createDirectories(spec.journal().directory());
      Journal j = Journal.open(spec.journal());
      journal = Optional.of(j);
      journalId = j.id().toString();
      j.onForce(observer::journalForced);
      registerConsumers(spec, j);
      try {
        shipping = Shipping.start(spec, j);
        TransactionSink journalSink = promoted.isEmpty() ? new JournalSink(j)
            : PromotedJournal.continuing(new JournalSink(j), promoted.get().branchPoint());
        TrackingSink tracking = new TrackingSink(shipping.gate().active()
            ? new SyncSink(journalSink, shipping.gate()) : journalSink, clock);
        sink = Optional.of(tracking);
        capture = Optional.of(spec.source().startCapture(tracking));
      } catch (IOException | RuntimeException e) {
        shipping.closeQuietly();
        j.close();
        throw e;
      }
    }
    FerryNode node = new FerryNode(spec, journal, shipping, journalId, clock, sink, capture);
    node.observer = observer;
    if (role != Role.CAPTURE) {
      // Each replica seeds and connects on its own thread: one that is new, slow to copy or
      // unreachable never holds back capture or the others.
      ApplySource from = new ApplySource(journal, spec.journal().directory(), journalId,
          spec.source().serverId(), node::seedIfNew, Optional.empty());
      for (ReplicaSpec r : spec.replicas()) {
        if (replicas.isEmpty() || replicas.contains(r.name())) {
          node.replicas.add(ReplicaRunner.start(r, from, clock, observer));
        }
      }
    }
    log.info("{} node started ({}): journal {} at {}, replicas {}", node.side(), role, journalId,
        spec.journal().directory(), node.replicas.stream().map(ReplicaRunner::name).toList());
    return node;
  }

  /** Starts the replicas on the journal copy, once it exists (the link's thread calls this once). */
  private void startReplicasOnCopy(String copyId, List<String> names) {
    journalId = copyId;
    ApplySource from = new ApplySource(Optional.empty(), spec.journal().directory(), copyId,
        spec.source().serverId(), this::seedIfNew, link.map(CopyLink::feed));
    for (ReplicaSpec r : spec.replicas()) {
      if (names.isEmpty() || names.contains(r.name())) {
        replicas.add(ReplicaRunner.start(r, from, clock, observer));
      }
    }
    log.info("{} copy of journal {}: replicas {} started", Side.journal(spec.journal().directory()), copyId,
        replicas.stream().map(ReplicaRunner::name).toList());
  }

  /**
   * A replica that has applied nothing of this journal is seeded first from a consistent snapshot
   * of the source (docs/initial-sync.md); capture must be running, here or in another process.
   * Runs on the replica's thread; an interrupt (the node stopping) ends the copy at a safe point.
   * Status shows the copy's progress meanwhile.
   */
  private void seedIfNew(ReplicaSpec r) throws IOException, InterruptedException {
    if (!InitialSync.needsSeed(r, spec.journal().directory())) {
      return;
    }
    log.info("{} new replica: seeding it from a snapshot of the source", Side.replica(r.name()));
    InitialSync.Options watched = new InitialSync.Options(
        InitialSync.Options.DEFAULTS.copy().watchedBy(p -> seeding.put(r.name(), p)),
        InitialSync.Options.DEFAULTS.journalWait());
    try {
      spec.source().seed(r, spec.journal().directory(), capture, watched);
    } finally {
      seeding.remove(r.name());
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | InterruptedException | RuntimeException e) {
      log.warn("{} while stopping after a failed start: {}", Side.source(spec.source().name()), e.toString());
    }
  }

  /**
   * Every configured replica is a consumer of the journal from the start, so a sealed segment is
   * purged only once all of them applied it — also one that has not started yet. A consumer no
   * longer configured (a commented-out block, the wrong {@code -c}) keeps its position, with a
   * warning naming it: only {@code ferry replica drop NAME} (or the journal's retention cap)
   * releases it, so a slip in the configuration never costs a replica its re-initialisation. The
   * replica nodes listed in {@code journal.serve.http.consumers} are consumers as well, named
   * {@code http.<node>}, from the start: what they have not fetched is kept the same way; so are
   * the push targets ({@code journal.push}), named {@code push.<name>}.
   */
  private static void registerConsumers(NodeSpec spec, Journal journal) throws IOException {
    var registered = journal.consumers();
    JournalPosition oldest = JournalPosition.startOf(JournalInspector.purgedThrough(journal.directory()) + 1);
    List<String> configured = spec.journalConsumers();
    for (String name : configured) {
      if (!registered.containsKey(name)) {
        journal.acknowledge(name, oldest);
      }
    }
    for (String name : registered.keySet()) {
      if (!configured.contains(name)) {
        log.warn("{} replica {} is not in this configuration but still holds the journal at {}: segments it"
            + " has not applied are kept. Run 'ferry replica drop {}' if it is gone for good", Side.source(spec.source().name()),
            name, registered.get(name), name);
      }
    }
  }

  private static Path existingJournal(Path dir) throws IOException {
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw new IOException("journal " + dir + " does not exist yet: start 'ferry capture' (or 'ferry run') first");
    }
    return dir;
  }

  /** Waits until capture is streaming; false if it failed or the time ran out. */
  public boolean awaitCaptureStreaming(Duration timeout) throws InterruptedException {
    return capture.isEmpty() || capture.get().awaitStreaming(timeout);
  }

  /**
   * Waits until everything committed at the source before this call is journaled and every
   * replica has applied and committed it; false if capture or a replica failed or the time ran out.
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    BooleanSupplier sourceDone = capture.isPresent()
        ? capture.get().markSourceNow(() -> sink.flatMap(TrackingSink::head).map(TrackingSink.Head::position))
        : () -> true;
    while (System.nanoTime() < deadline) {
      if (!sourceDone.getAsBoolean()) {
        if (captureFailure().isPresent()) {
          return false;
        }
        Thread.sleep(20);
        continue;
      }
      NodeStatus s = status();
      if (s.replicas().stream().anyMatch(r -> r.state() == ReplicaState.FAILED)) {
        return false;
      }
      if (s.replicas().stream().allMatch(r -> r.lag().transactions() == 0 && r.lag().bytes() == 0
          && r.state() == ReplicaState.STREAMING) && replicas.stream().allMatch(ReplicaRunner::caughtUp)) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** The capture failure that stopped capture, if any. */
  public Optional<Exception> captureFailure() {
    return capture.flatMap(Capture::failure);
  }

  /** Names of replicas that stopped with an error. */
  public List<String> failedReplicas() {
    return replicas.stream().filter(r -> r.state() == ReplicaState.FAILED).map(ReplicaRunner::name).toList();
  }

  /** What this process counted since it started ({@link NodeCounters}). */
  public NodeCounters counters() {
    Optional<NodeCounters.Source> source = sink.filter(t -> capture.isPresent()).map(t -> new NodeCounters.Source(
        spec.source().name(), t.captured(), t.changes(), t.lagSeconds()));
    Optional<NodeCounters.Journal> j = journal.map(w -> new NodeCounters.Journal(w.directory().toString(),
        w.appendedRecords(), w.appendedBytes(), w.groupCommits()));
    List<NodeCounters.Replica> rs = replicas.stream().map(r -> new NodeCounters.Replica(r.name(), r.applied(),
        r.counters().changes(), r.counters().retries(), r.counters().reconnects(), r.counters().conflicts())).toList();
    return new NodeCounters(source, j, rs);
  }

  /**
   * Pauses ({@code suspend} true) or resumes a replica this process applies: it stops between two
   * transactions, everything applied committed, and shows {@code suspended} until resumed. Kept
   * across restarts in the replica's control file ({@link ReplicaControlFile}).
   *
   * @return false when this process applies no replica of that name
   */
  public boolean suspend(String replica, boolean suspend) throws IOException {
    Optional<ReplicaRunner> r = replicas.stream().filter(x -> x.name().equals(replica)).findFirst();
    if (r.isPresent()) {
      r.get().suspend(suspend);
    }
    return r.isPresent();
  }

  /**
   * Commits {@code tag} on the source this node captures ({@code ferry tag}), so it takes its exact
   * place in the stream.
   *
   * @return the source position the tag got; empty when this node captures no source (a replica
   *     node, or {@code ferry apply})
   * @throws TagRefusedException when the source cannot take a tag (not PostgreSQL)
   * @throws IOException when the source cannot be written
   */
  public Optional<String> tag(Tag tag) throws IOException {
    if (capture.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(spec.source().tags().orElseThrow(TagRefusedException::new).emit(tag));
  }

  /** A source that takes no tag: the message says why and what to do instead. */
  public static final class TagRefusedException extends IOException {
    TagRefusedException(String message) {
      super(message);
    }
  }

  /**
   * Skips {@code gtid} on a replica this process applies that stopped on an error: the GTID must be
   * the next transaction it would apply ({@link ReplicaSkip}); its runner waits meanwhile and then
   * applies again from the transaction after it.
   *
   * @return what was skipped; empty when this process applies no replica of that name
   * @throws ReplicaSkip.RefusedException when the replica is not stopped on an error, or the skip is refused
   */
  public Optional<ReplicaSkip.Skipped> skip(String replica, Gtid gtid, ConflictStore.Resolution resolution)
      throws IOException {
    Optional<ReplicaRunner> r = replicas.stream().filter(x -> x.name().equals(replica)).findFirst();
    Optional<ReplicaSpec> target = spec.replicas().stream().filter(x -> x.name().equals(replica)).findFirst();
    if (r.isEmpty() || target.isEmpty()) {
      return Optional.empty();
    }
    ReplicaSkip.Skipped skipped;
    try {
      skipped = r.get().whileFailed(() -> ReplicaSkip.skipUnlocked(target.get(), spec.journal().directory(), gtid,
          resolution));
    } catch (FailedHold.NotWaitingException e) {
      throw new ReplicaSkip.RefusedException("replica " + replica + " is " + r.get().state() + ", not stopped on an"
          + " error (failed): only a failed replica can skip its next transaction");
    }
    log.info("{} skipped {} (by {}{}): applying again", Side.replica(replica), gtid, resolution.by(),
        resolution.note().map(n -> ": " + n).orElse(""));
    return Optional.of(skipped);
  }

  /** The journal directory this node reads or writes. */
  public Path journalDirectory() {
    return spec.journal().directory();
  }

  /**
   * Where {@link #status()} takes the operations other processes run beside this node from (their
   * status files); none until set. Called once, before the node's status is served.
   */
  public void showOperations(Supplier<List<NodeStatus.Operation>> running) {
    operations = Objects.requireNonNull(running, "running");
  }

  public NodeStatus status() {
    return ownStatus().withOperations(operations.get());
  }

  private NodeStatus ownStatus() {
    if (link.isPresent()) {
      return link.get().status(clock.instant(), journalId, replicas, this::replicaStatus);
    }
    Optional<TrackingSink.Head> head = sink.flatMap(TrackingSink::head);
    Optional<NodeStatus.Source> source = capture.map(c -> new NodeStatus.Source(spec.source().name(),
        spec.source().kind(), SourceState.of(c.state()), c.confirmedPosition(),
        sink.map(TrackingSink::captured).orElse(0L), c.failure().map(Throwable::getMessage), retainedLog.latest()));
    NodeStatus.Journal j = new NodeStatus.Journal(spec.journal().directory().toString(), journalId,
        head.map(TrackingSink.Head::gtid), head.flatMap(TrackingSink.Head::knownCommitTime),
        sink.map(TrackingSink::newestByDomain).orElse(List.of())).withConsumersOf(spec.journal().directory());
    List<NodeStatus.Replica> rs = new ArrayList<>();
    List<Gtid> heads = sink.map(TrackingSink::newestByDomain).orElse(List.of());
    for (ReplicaRunner r : replicas) {
      rs.add(replicaStatus(r, heads, head.flatMap(TrackingSink.Head::knownCommitTime)));
    }
    return new NodeStatus(clock.instant(), source, j, rs, shipping.links());
  }

  private NodeStatus.Replica replicaStatus(ReplicaRunner r, List<Gtid> heads, Optional<Instant> headTime) {
    NodeStatus.Replica status = new NodeStatus.Replica(r.name(), r.state(), r.lastGtid(), NodeStatus.Lag.NONE,
        r.applied(), r.lastError(), r.position(), r.lastCommitTime(), r.nextTry(), r.appliedByDomain(), r.appliedSet(),
        r.workers().map(w -> new NodeStatus.Workers(w.count(), w.commitOrder().name().toLowerCase(Locale.ROOT))),
        Optional.ofNullable(seeding.get(r.name())).map(p -> NodeStatus.Progress.of("initial sync", p.snapshot())));
    NodeStatus.Lag lag = ReplicaLag.of(heads, headTime, status,
        transactions -> r.caughtUp() ? 0
            : JournalInspector.bytesAfter(spec.journal().directory(), r.position().orElse(JournalPosition.startOf(1))));
    // Sampled in every state, shown only while it applies: resumed, it has its rates within seconds.
    Optional<NodeStatus.CatchUp> catchUp = catchUps.computeIfAbsent(r.name(), n -> new CatchUpEstimator())
        .observe(clock.instant(), r.applied(), lag.transactions());
    return status.withLag(lag.withCatchUp(status.state().catchesUp() ? catchUp : Optional.empty()));
  }

  /**
   * Stops capture after the transaction in hand (everything captured is durable), then each
   * replica after its transaction in hand (everything applied is committed), then the HTTP server
   * and the archiver (after the segment in hand), then closes the journal.
   */
  @Override
  public void close() throws IOException, InterruptedException {
    if (capture.isPresent()) {
      capture.get().close();
    }
    if (link.isPresent()) {
      link.get().stopStarting();
    }
    for (ReplicaRunner r : replicas) {
      r.close();
    }
    shipping.close();
    if (link.isPresent()) {
      link.get().close();
    }
    if (journal.isPresent()) {
      journal.get().close();
    }
    ReplicaLock.releaseAll(locks);
    log.info("{} node stopped", side());
  }

  /** The log prefix of the node as a whole: its source when it captures, else the replicas it applies. */
  private String side() {
    if (capture.isPresent()) {
      return Side.source(spec.source().name()).toString();
    }
    List<String> names = replicas.stream().map(ReplicaRunner::name).toList();
    return "[" + (names.size() == 1 ? "replica " : "replicas ") + String.join(", ", names) + "]";
  }
}
