package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.FaultProxy;
import dev.ferry.testkit.TlsStores;
import dev.ferry.testkit.WorkloadRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * A primary and a replica node as two {@code bin/ferry run} processes (PostgreSQL to PostgreSQL)
 * whose only link, TCP push or HTTP, runs through a {@link FaultProxy}, for the transport fault
 * tests. The primary archives every sealed segment ({@code journal.archive.dir}), and a watcher
 * hashes every sealed segment the copy holds as soon as it appears (the copy purges what its
 * replica applied), so that each can be compared with the primary's.
 */
final class FaultyLink implements AutoCloseable {
  /** The transport under test. */
  enum Kind {
    PUSH, HTTP,
    /** TCP push over TLS: the receiver's {@code keystore}, the supplier's {@code truststore} (keytool-made, for 127.0.0.1). */
    PUSH_TLS
  }

  /** The push link's timing: a black hole is noticed within {@link #TIMEOUT}. */
  static final Duration HEARTBEAT = Duration.ofMillis(300);
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  /**
   * When a black hole must have been noticed, measured from the test's clock: the timeout plus room for
   * a loaded machine (a pause, a slow log write), still far from a link that waits for the OS to give up.
   */
  static final Duration NOTICED_WITHIN = TIMEOUT.plusSeconds(7);
  private static final String SECRET = "e2e-faults-secret-81d2a7";
  private static final String TOKEN = "e2e-faults-token-3b9c";

  final Kind kind;
  final Topology t;
  final FerryCli cli;
  final FaultProxy proxy;
  final NodePair nodes;
  final Path archive;
  final Path copy;
  private final Map<String, String> copySha = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();
  private final Thread watcher;
  private volatile boolean closed;

  private FaultyLink(Kind kind, Topology t, FerryCli cli, FaultProxy proxy, NodePair nodes, Path archive, Path copy) {
    this.kind = kind;
    this.t = t;
    this.cli = cli;
    this.proxy = proxy;
    this.nodes = nodes;
    this.archive = archive;
    this.copy = copy;
    this.watcher = Thread.ofVirtual().name("copy-watcher").start(this::watch);
  }

  /** Starts the databases, the proxy and both nodes; the replica node's replica streams when it returns. */
  static FaultyLink start(Path dir, Kind kind) throws Exception {
    Topology t = Topology.start(dir);
    FerryCli cli = new FerryCli(dir);
    Path primaryJournal = dir.resolve("primary/journal");
    Path copy = dir.resolve("replica/journal");
    Files.createDirectories(primaryJournal.getParent());
    Files.createDirectories(copy.getParent());
    Path archive = dir.resolve("archive");
    int port = NodePair.freePort();
    FaultProxy proxy = FaultProxy.start(port);
    String source = "source:\n  name: primary\n  url: " + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\n";
    String primary = source + "journal:\n  dir: " + primaryJournal + "\n  segment-size: 64KiB\n  segment-age: 1s\n"
        + "  archive:\n    dir: " + archive + "\n";
    String replica = source + "journal:\n  dir: " + copy + "\n  from:\n";
    String timing = "      heartbeat: " + HEARTBEAT.toMillis() + "ms\n      timeout: " + TIMEOUT.toMillis()
        + "ms\n      retry-max: 1s\n";
    if (kind != Kind.HTTP) {
      String trust = "";
      String key = "";
      if (kind == Kind.PUSH_TLS) {
        TlsStores tls = TlsStores.make(dir, "b", "e2e-tls-store-5e1f");
        trust = "      truststore: " + tls.trustStore() + "\n      truststore-password: " + tls.password() + "\n";
        key = "      keystore: " + tls.keyStore() + "\n      keystore-password: " + tls.password() + "\n";
      }
      primary += "  push:\n    - name: b\n      to: 127.0.0.1:" + proxy.port() + "\n      secret: " + SECRET + "\n"
          + trust + timing;
      replica += "    listen:\n      address: 127.0.0.1:" + port + "\n      secret: " + SECRET + "\n" + key + timing;
    } else {
      // A listed consumer: the primary purges what the copy has, so the listing stays short.
      primary += "  serve:\n    http:\n      listen: 127.0.0.1:" + port + "\n      token: " + TOKEN
          + "\n      consumers: [b]\n";
      replica += "    http:\n      url: http://127.0.0.1:" + proxy.port() + "/\n      token: " + TOKEN
          + "\n      consumer: b\n      poll-interval: 200ms\n      retry-max: 1s\n      timeout: "
          + TIMEOUT.toMillis() + "ms\n";
    }
    replica += "replicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n";
    Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), primary);
    Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), replica);
    NodePair nodes = new NodePair(cli, dir, primaryConfig, replicaConfig);
    nodes.startPrimary();
    t.load(); // the copy takes the primary's UUID from segment 1: the primary must have written something
    nodes.startReplica();
    return new FaultyLink(kind, t, cli, proxy, nodes, archive, copy);
  }

  /** Two clients of the bank workload on the primary (numbers no earlier load used), until the runner is stopped. */
  WorkloadRunner load(long seed) {
    return WorkloadRunner.start(new BankWorkload(BankWorkload.Dialect.POSTGRES, Topology.ACCOUNTS),
        () -> DriverManager.getConnection(t.primaryUrl), 1 + 2 * loads.getAndIncrement(), 2, seed);
  }

  /** Runs {@link #load} for {@code d}. */
  void loadFor(Duration d, long seed) throws Exception {
    try (WorkloadRunner w = load(seed)) {
      Thread.sleep(d.toMillis());
      w.stop();
    }
  }

  /** A light write load for {@code d}: {@code n} one-row transactions every 250 ms; returns how many. */
  long trickle(Duration d, int n) throws Exception {
    long deadline = System.nanoTime() + d.toNanos();
    long done = 0;
    while (System.nanoTime() < deadline) {
      done += t.transfers(n);
      Thread.sleep(250);
    }
    return done;
  }

  /** Resets every connection every 2 s for 9 s of load (longer until three were reset); the replica then converges. */
  void dropsEveryTwoSecondsAndConverges(long seed) throws Exception {
    proxy.dropEvery(Duration.ofSeconds(2));
    try (WorkloadRunner w = load(seed)) {
      Thread.sleep(9000);
      // On a loaded machine a reconnect may take longer than the 2 s between drops: load on until three were reset.
      Await.until("three connections reset", Duration.ofSeconds(60), proxy::dropped, d -> d >= 3);
      w.stop();
    }
    proxy.stopDropping();
    assertThat(proxy.dropped()).as("connections reset").isGreaterThanOrEqualTo(3);
    assertConverged(Duration.ofSeconds(90));
  }

  /** Throttled to 8 KiB/s each way under a light load, the replica converges while the throttle holds. */
  void throttledConverges() throws Exception {
    FaultProxy.Direction journal = kind != Kind.HTTP ? FaultProxy.Direction.TO_TARGET : FaultProxy.Direction.TO_CLIENT;
    long before = proxy.forwarded(journal);
    proxy.throttle(8 * 1024);
    try {
      trickle(Duration.ofSeconds(8), 5);
      assertConverged(Duration.ofSeconds(120));
    } finally {
      proxy.throttle(0);
    }
    assertThat(proxy.forwarded(journal) - before).as("journal bytes through the throttle").isGreaterThan(16 * 1024);
  }

  /**
   * The replica converges: its tables equal the source's, its applied GTID set is every GTID of
   * the primary's journal once (one range, no hole, up to the newest), and every sealed segment the
   * copy held since the start has the SHA-256 of the primary's. Returns how many segments that was.
   */
  int assertConverged(Duration timeout) throws Exception {
    try {
      t.awaitPgEqual(timeout);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + nodes.logs(), e);
    }
    // The primary's status file is written every second: read both until they agree.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long last = primaryLastSeq();
    String applied = appliedGtids();
    while (!applied.equals("0:" + last) && System.nanoTime() < deadline) {
      Thread.sleep(300);
      last = primaryLastSeq();
      applied = appliedGtids();
    }
    assertThat(applied).as("the replica's applied GTID set: each of the primary's 1..%d once", last)
        .isEqualTo("0:" + last);
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!copySha.keySet().stream().allMatch(name -> Files.exists(archive.resolve(name)))) {
      assertThat(System.nanoTime()).as("the primary archives what the copy held").isLessThan(deadline);
      Thread.sleep(200);
    }
    assertThat(copySha).as("sealed segments seen in the copy").isNotEmpty();
    for (Map.Entry<String, String> e : copySha.entrySet()) {
      assertThat(e.getValue()).as("SHA-256 of %s in the copy", e.getKey())
          .isEqualTo(DirectoryTransportCrashTest.sha256(archive.resolve(e.getKey())));
    }
    assertThat(nodes.primary.isAlive()).isTrue();
    assertThat(nodes.replica.isAlive()).isTrue();
    return copySha.size();
  }

  private long primaryLastSeq() throws Exception {
    return Status.seq(Status.of(cli, nodes.primaryConfig).path("journal").path("lastGtid"));
  }

  private String appliedGtids() throws Exception {
    return Sql.scalar(t.pgReplicaUrl, "SELECT applied_gtids FROM _ferry.replication_control");
  }

  /** The link on the primary (push) or on the replica node (HTTP: the primary has no link), from status. */
  JsonNode link(boolean onPrimary) throws Exception {
    return Status.of(cli, onPrimary ? nodes.primaryConfig : nodes.replicaConfig).path("links").path(0);
  }

  /** The log's size now: where to look for what happens next. */
  static long mark(Path log) throws IOException {
    return Files.exists(log) ? Files.size(log) : 0;
  }

  private void watch() {
    while (!closed) {
      try {
        for (Path s : DirectoryTransportCrashTest.sealed(copy)) {
          String name = s.getFileName().toString();
          if (!copySha.containsKey(name)) {
            copySha.put(name, DirectoryTransportCrashTest.sha256(s));
          }
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // purged while being read, or the copy does not exist yet: the next look sees it
      }
    }
  }

  @Override
  public void close() throws Exception {
    closed = true;
    watcher.interrupt();
    try (t; cli; proxy) {
      nodes.terminateBoth();
    }
  }
}
