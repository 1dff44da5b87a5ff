package dev.ferry.node.admin;

import dev.ferry.apply.ConflictType;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeCounters;
import dev.ferry.node.run.NodeObserver;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A node's metrics in Prometheus's text format ({@code docs/metrics.md} lists them): counters read
 * from {@link FerryNode#counters()}, lag and state from {@link FerryNode#status()} (one snapshot per
 * scrape), the apply and fsync histograms from the {@link NodeObserver} events, and the JVM's
 * basics. A replica's meters appear once the process applies it. Thread-safe.
 */
public final class NodeMetrics implements NodeObserver, AutoCloseable {
  private static final Duration SNAPSHOT_AGE = Duration.ofMillis(500);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Timer> applyTimers = new ConcurrentHashMap<>();
  private final Set<String> bound = ConcurrentHashMap.newKeySet();
  private final Timer fsync;
  private final DistributionSummary groupSize;
  private volatile FerryNode node;
  private volatile Snapshot snapshot;

  /** What one scrape reads of the node: its counters, its status, its segments. */
  private record Snapshot(long nanoTime, NodeCounters counters, NodeStatus status, List<SegmentInfo> segments) {}

  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    fsync = Timer.builder("ferry.journal.fsync").description("Time of one group commit's fsync of the journal")
        .publishPercentileHistogram().register(registry);
    // Powers of two: how many transactions share one fsync is what group commit is about.
    groupSize = DistributionSummary.builder("ferry.journal.group.records")
        .description("Records made durable by one group commit of the journal (its fsync)")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
  }

  /** Reads {@code started} from now on (the node starts after its metrics, which time its start). */
  public void bind(FerryNode started) {
    this.node = started;
  }

  @Override
  public void applied(String replica, long nanos) {
    applyTimers.computeIfAbsent(replica, r -> Timer.builder("ferry.replica.apply")
        .description("Time to apply one transaction into the open target transaction").tag("replica", r)
        .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void journalForced(long nanos, long records) {
    fsync.record(nanos, TimeUnit.NANOSECONDS);
    groupSize.record(records);
  }

  /** Every metric, in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    FerryNode n = node;
    if (n != null) {
      Snapshot s = snapshot(n);
      s.counters().source().ifPresent(this::bindSource);
      s.status().source().filter(src -> src.retainedWalBytes().isPresent()).ifPresent(this::bindRetainedWal);
      s.counters().journal().ifPresent(this::bindJournal);
      s.counters().replicas().forEach(r -> bindReplica(r.name()));
      s.status().links().forEach(this::bindLink);
    }
    return registry.scrape();
  }

  private Snapshot snapshot(FerryNode n) {
    Snapshot s = snapshot;
    if (s != null && System.nanoTime() - s.nanoTime() < SNAPSHOT_AGE.toNanos()) {
      return s;
    }
    List<SegmentInfo> segments;
    try {
      segments = JournalInspector.list(n.journalDirectory());
    } catch (IOException e) {
      segments = List.of();
    }
    s = new Snapshot(System.nanoTime(), n.counters(), n.status(), segments);
    snapshot = s;
    return s;
  }

  /** The newest snapshot, taken again when older than half a second. */
  private Snapshot now() {
    return snapshot(node);
  }

  private void bindSource(NodeCounters.Source source) {
    if (!bound.add("source")) {
      return;
    }
    String name = source.name();
    counter("ferry.source.transactions", "Transactions captured and made durable in the journal", "source", name,
        s -> s.counters().source().map(NodeCounters.Source::transactions).orElse(0L));
    counter("ferry.source.changes", "Changes of the captured transactions", "source", name,
        s -> s.counters().source().map(NodeCounters.Source::changes).orElse(0L));
    gauge("ferry.source.capture.lag", "seconds", "For the newest captured transaction: source commit to journal fsync",
        "source", name, s -> s.counters().source().map(NodeCounters.Source::lagSeconds).orElse(0.0));
  }

  /** Once the source has told how much WAL it keeps: a source that keeps none (SQLite) has no such series. */
  private void bindRetainedWal(NodeStatus.Source source) {
    if (!bound.add("retained wal")) {
      return;
    }
    gauge("ferry.source.retained.wal", "bytes", "WAL the source keeps for Ferry's slot (read every 10 s)", "source",
        source.name(), s -> s.status().source().flatMap(NodeStatus.Source::retainedWalBytes).map(Long::doubleValue)
            .orElse(Double.NaN));
  }

  private void bindJournal(NodeCounters.Journal journal) {
    if (!bound.add("journal")) {
      return;
    }
    FunctionCounter.builder("ferry.journal.appends", this,
            m -> m.now().counters().journal().map(NodeCounters.Journal::records).orElse(0L))
        .description("Records written to the journal").register(registry);
    FunctionCounter.builder("ferry.journal.appended", this,
            m -> m.now().counters().journal().map(NodeCounters.Journal::bytes).orElse(0L))
        .baseUnit("bytes").description("Bytes of the records written to the journal").register(registry);
    FunctionCounter.builder("ferry.journal.group.commits", this,
            m -> m.now().counters().journal().map(NodeCounters.Journal::groupCommits).orElse(0L))
        .description("Group commits of the journal, one fsync each").register(registry);
    for (SegmentState state : List.of(SegmentState.OPEN, SegmentState.SEALED, SegmentState.ARCHIVED)) {
      Gauge.builder("ferry.journal.segments", this,
              m -> m.now().segments().stream().filter(i -> i.state() == state).count())
          .description("Segments in the journal directory, by state").tag("state", label(state))
          .register(registry);
    }
  }

  private void bindReplica(String name) {
    if (!bound.add("replica " + name)) {
      return;
    }
    counter("ferry.replica.transactions", "Transactions applied", "replica", name,
        s -> replica(s, name).map(NodeCounters.Replica::transactions).orElse(0L));
    counter("ferry.replica.changes", "Changes of the applied transactions", "replica", name,
        s -> replica(s, name).map(NodeCounters.Replica::changes).orElse(0L));
    counter("ferry.replica.retries", "Transient errors retried by the applier", "replica", name,
        s -> replica(s, name).map(NodeCounters.Replica::retries).orElse(0L));
    counter("ferry.replica.reconnects", "Outages of the target ridden out", "replica", name,
        s -> replica(s, name).map(NodeCounters.Replica::reconnects).orElse(0L));
    for (ConflictType type : ConflictType.values()) {
      FunctionCounter.builder("ferry.replica.conflicts", this, m -> replica(m.now(), name)
              .map(r -> r.conflicts().getOrDefault(type, 0L)).orElse(0L))
          .description("Conflicts detected, by type").tags("replica", name, "type", type.label()).register(registry);
    }
    gauge("ferry.replica.lag.transactions", null, "Transactions in the journal not yet applied", "replica", name,
        s -> status(s, name).map(r -> r.lag().transactions()).orElse(0L));
    gauge("ferry.replica.lag.bytes", null, "Journal bytes not yet applied", "replica", name,
        s -> status(s, name).map(r -> r.lag().bytes()).orElse(0L));
    gauge("ferry.replica.lag.seconds", null, "Source commit time of the journal's head minus that of the last applied",
        "replica", name, s -> status(s, name).map(r -> r.lag().seconds()).orElse(0.0));
    gauge("ferry.replica.catchup.eta.seconds", null, "Seconds until a replica behind is caught up at its recent rates;"
        + " 0 when caught up, NaN when not known (not applying, not gaining, not measured yet)", "replica", name,
        s -> status(s, name).map(NodeMetrics::catchUpSeconds).orElse(Double.NaN));
    for (ReplicaState state : ReplicaState.values()) {
      Gauge.builder("ferry.replica.state", this,
              m -> status(m.now(), name).filter(r -> r.state() == state).isPresent() ? 1 : 0)
          .description("1 for the replica's state, 0 for the others").tags("replica", name, "state", state.text())
          .register(registry);
    }
  }

  /** A link the journal travels by: received on a replica node, pushed from a primary. */
  private void bindLink(LinkStatus link) {
    String name = link.name();
    if (!bound.add("link " + name)) {
      return;
    }
    FunctionCounter.builder("ferry.link.segments", this, m -> link(m.now(), name).map(LinkStatus::segments).orElse(0L))
        .description("Sealed segments this process received (or pushed) over the link")
        .tags("link", name, "kind", link.kind()).register(registry);
    FunctionCounter.builder("ferry.link.bytes", this, m -> link(m.now(), name).map(LinkStatus::bytes).orElse(0L))
        .baseUnit("bytes").description("Bytes of journal this process took into its copy (or pushed) over the link")
        .tags("link", name, "kind", link.kind()).register(registry);
    FunctionCounter.builder("ferry.link.reconnects", this,
            m -> link(m.now(), name).map(LinkStatus::reconnects).orElse(0L))
        .description("Times the link was re-established after it was lost or refused (not the first connect)")
        .tags("link", name, "kind", link.kind()).register(registry);
    for (LinkState state : LinkState.values()) {
      Gauge.builder("ferry.link.state", this, m -> link(m.now(), name).filter(l -> l.state() == state).isPresent() ? 1 : 0)
          .description("1 for the link's state, 0 for the others").tags("link", name, "kind", link.kind(), "state",
              state.text()).register(registry);
    }
  }

  private static Optional<LinkStatus> link(Snapshot s, String name) {
    return s.status().links().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  private void counter(String metric, String help, String tag, String value, ToDoubleFunction<Snapshot> read) {
    FunctionCounter.builder(metric, this, m -> read.applyAsDouble(m.now())).description(help).tag(tag, value)
        .register(registry);
  }

  private void gauge(String metric, String unit, String help, String tag, String value,
      ToDoubleFunction<Snapshot> read) {
    Gauge.Builder<NodeMetrics> b = Gauge.builder(metric, this, m -> read.applyAsDouble(m.now())).description(help)
        .tag(tag, value);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private static double catchUpSeconds(NodeStatus.Replica r) {
    if (r.lag().transactions() == 0) {
      return 0;
    }
    return r.lag().catchUp().flatMap(NodeStatus.CatchUp::etaSeconds).map(Long::doubleValue).orElse(Double.NaN);
  }

  private static Optional<NodeCounters.Replica> replica(Snapshot s, String name) {
    return s.counters().replicas().stream().filter(r -> r.name().equals(name)).findFirst();
  }

  private static Optional<NodeStatus.Replica> status(Snapshot s, String name) {
    return s.status().replicas().stream().filter(r -> r.name().equals(name)).findFirst();
  }

  private static String label(SegmentState state) {
    return state.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
