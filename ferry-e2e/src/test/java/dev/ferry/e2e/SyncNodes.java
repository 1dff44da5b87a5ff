package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * The set-up of the synchronous push tests: a primary node pushing to replica node {@code b}
 * ({@code sync: LEVEL}, {@code sync-timeout}) whose replica {@code pg} is the topology's PostgreSQL
 * replica, both {@code bin/ferry run} processes ({@link NodePair}); the bank loaded; the source's
 * {@code synchronous_standby_names} listing capture's walsender, which is synchronous, and the
 * replica node included. At level {@code apply} the replica node's replicas write their consumer
 * positions only every {@link #ACK_EVERY_MS} ms, so a commit is released only by the replica node's
 * report of each apply commit. Inserts history rows on their own connections, timing each COMMIT.
 */
final class SyncNodes {
  private static final String SECRET = "e2e-sync-secret-90ab1c";
  private static final AtomicLong MORE = new AtomicLong(9_100_000);
  /** At level apply, how often the replica node's replicas write their consumer position (10 minutes). */
  static final long ACK_EVERY_MS = 600_000;

  final Topology t;
  final FerryCli cli;
  final NodePair nodes;
  final Path copy;
  final int port;

  private SyncNodes(Topology t, FerryCli cli, NodePair nodes, Path copy, int port) {
    this.t = t;
    this.cli = cli;
    this.nodes = nodes;
    this.copy = copy;
    this.port = port;
  }

  /** Writes both configurations, starts both nodes and makes capture's walsender synchronous. */
  static SyncNodes start(Path dir, Topology t, FerryCli cli, String level, Duration syncTimeout) throws Exception {
    Path copy = dir.resolve("replica/journal");
    Files.createDirectories(copy.getParent());
    Files.createDirectories(dir.resolve("primary"));
    int port = NodePair.freePort();
    String timing = "heartbeat: 200ms\n      timeout: 2s\n      retry-max: 500ms\n";
    Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
        + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + dir.resolve("primary/journal")
        + "\n  push:\n    - name: b\n      to: 127.0.0.1:" + port + "\n      secret: " + SECRET
        + "\n      sync: " + level + "\n      sync-timeout: " + syncTimeout.toMillis() + "ms\n      " + timing);
    Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), "source:\n  name: primary\n  url: "
        + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
        + "\n  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n      secret: " + SECRET + "\n      "
        + timing + "replicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n");
    SyncNodes sync = new SyncNodes(t, cli, new NodePair(cli, dir, primaryConfig, replicaConfig), copy, port);
    if (level.equals("apply")) { // the replicas' consumer files written every 10 minutes: only prompt reports release
      sync.nodes.replicaEnv = Map.of("FERRY_JAVA_OPTS", "-Xmx256m -Dferry.replica.ack-every-ms=" + ACK_EVERY_MS);
    }
    sync.nodes.startPrimary();
    t.load();
    sync.nodes.startReplica();
    String app = "ferry-primary@" + Status.of(cli, primaryConfig).path("journal").path("id").asString()
        .substring(0, 8);
    Sql.execute(t.primaryUrl, "ALTER SYSTEM SET synchronous_standby_names = '\"" + app + "\"'",
        "SELECT pg_reload_conf()");
    awaitSync(t.primaryUrl, app);
    sync.awaitIncluded(); // excluded while the replica node was not there yet
    return sync;
  }

  /** The primary's push link to {@code b}, from {@code ferry status --json}. */
  JsonNode link() throws Exception {
    return Status.of(cli, nodes.primaryConfig).path("links").get(0);
  }

  /**
   * The push link once it satisfies {@code condition}: the status file is written about once a second, so a read right
   * after an event may still show the state before it (here: the reconnect error before the exclusion).
   */
  JsonNode awaitLink(java.util.function.Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    JsonNode link = link();
    while (!condition.test(link) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      link = link();
    }
    assertThat(condition.test(link)).as("the push link reaches the expected state; last seen: %s", link).isTrue();
    return link;
  }

  /** Commits a row now and then until the push link shows no error: the replica node caught up and is included. */
  void awaitIncluded() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    JsonNode link;
    while (!(link = link()).path("lastError").isNull() || !link.path("state").asString().equals("streaming")) {
      assertThat(System.nanoTime()).as("the replica node is included again; last seen: %s", link).isLessThan(deadline);
      insert(MORE.incrementAndGet(), "sync-more").get(60, TimeUnit.SECONDS);
      Thread.sleep(300);
    }
  }

  /** Inserts a history row on its own connection; completes with the milliseconds the COMMIT took. */
  CompletableFuture<Long> insert(long id, String memo) {
    String url = t.primaryUrl;
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      try {
        Sql.execute(url, "INSERT INTO history (id, from_id, to_id, teller_id, amount, at, memo) VALUES (" + id
            + ", 1, 2, 1, 5, now(), '" + memo + "')");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    });
  }

  /** Commits on the source stop waiting for capture's walsender; then stops both nodes (SIGTERM, exit 0). */
  void stop() throws Exception {
    Sql.execute(t.primaryUrl, "ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
    nodes.terminateBoth();
  }

  private static void awaitSync(String url, String app) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"sync".equals(Sql.scalar(url, "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
        + app + "'"))) {
      assertThat(System.nanoTime()).as("capture's walsender %s becomes synchronous: %s", app,
          Sql.rows(url, "SELECT application_name, sync_state FROM pg_stat_replication")).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
