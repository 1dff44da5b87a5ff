package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Synchronous push, level {@code receive}, PostgreSQL source: capture's walsender is listed in
 * {@code synchronous_standby_names}, so a client's {@code COMMIT} returns only once capture
 * confirmed it, which it does only once the journal fsynced it and the replica node acknowledged it
 * durable in its copy. With the replica node frozen (SIGSTOP) the commit waits; once it runs again
 * the commit returns and, the replica node killed at once, the row is in its copy. With the replica
 * node killed, a commit returns after {@code sync-timeout}, the replica node is excluded (log and
 * {@code ferry status} name it), later commits no longer wait, and once it is back and caught up
 * it is included again.
 */
@Timeout(600)
class SyncPushTest {
  private static final String SECRET = "e2e-sync-secret-90ab1c";
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(3);
  private static final java.util.concurrent.atomic.AtomicLong MORE = new java.util.concurrent.atomic.AtomicLong(9_100_000);

  @TempDir Path dir;

  @Test
  void aCommitReturnsOnlyOnceTheReplicaNodeHasItDurablyAndAFailedOneIsExcludedAfterTheTimeout() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path copy = dir.resolve("replica/journal");
      Files.createDirectories(copy.getParent());
      Files.createDirectories(dir.resolve("primary"));
      int port = NodePair.freePort();
      String timing = "heartbeat: 200ms\n      timeout: 2s\n      retry-max: 500ms\n";
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + dir.resolve("primary/journal")
          + "\n  push:\n    - name: b\n      to: 127.0.0.1:" + port + "\n      secret: " + SECRET
          + "\n      sync: receive\n      sync-timeout: 3s\n      " + timing);
      Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
          + "\n  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n      secret: " + SECRET + "\n      "
          + timing + "replicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n");
      NodePair nodes = new NodePair(cli, dir, primaryConfig, replicaConfig);
      nodes.startPrimary();
      t.load();
      nodes.startReplica();
      String app = "ferry-primary@" + Status.of(cli, primaryConfig).path("journal").path("id").asString()
          .substring(0, 8);
      Sql.execute(t.primaryUrl, "ALTER SYSTEM SET synchronous_standby_names = '\"" + app + "\"'",
          "SELECT pg_reload_conf()");
      awaitSync(t.primaryUrl, app);
      awaitIncluded(cli, t, primaryConfig); // excluded while the replica node was not there yet

      signal(nodes.replica, "STOP");
      CompletableFuture<Long> frozen = insert(t.primaryUrl, 9_000_001, "sync-frozen");
      Thread.sleep(1200);
      assertThat(frozen).as("the COMMIT waits while the replica node is frozen").isNotDone();
      signal(nodes.replica, "CONT");
      frozen.get(20, TimeUnit.SECONDS);
      FerryCli.kill9(nodes.replica);
      JournalDump.of(cli, copy, dir);
      assertThat(Files.readString(dir.resolve("dump.jsonl"))).as("the row is in the replica node's copy")
          .contains("sync-frozen");

      long waited = insert(t.primaryUrl, 9_000_002, "sync-excluded").get(60, TimeUnit.SECONDS);
      assertThat(waited).as("ms the COMMIT waited with the replica node gone")
          .isGreaterThanOrEqualTo(SYNC_TIMEOUT.toMillis() - 500).isLessThan(SYNC_TIMEOUT.toMillis() + 10_000);
      JsonNode link = Status.of(cli, primaryConfig).path("links").get(0);
      assertThat(link.path("lastError").asString()).contains("synchronous replica node excluded")
          .contains("within sync-timeout 3000 ms");
      assertThat(cli.run(Duration.ofSeconds(60), "status", "-c", primaryConfig.toString()).stdout())
          .contains("link     push b 127.0.0.1:" + port).contains("synchronous replica node excluded");
      assertThat(NodePair.read(nodes.primaryLog)).contains("[push b] synchronous replica node excluded");
      assertThat(insert(t.primaryUrl, 9_000_003, "sync-fast").get(60, TimeUnit.SECONDS))
          .as("ms a COMMIT waits once the replica node is excluded").isLessThan(SYNC_TIMEOUT.toMillis() - 500);

      nodes.startReplica();
      awaitIncluded(cli, t, primaryConfig);
      assertThat(NodePair.read(nodes.primaryLog)).contains("[push b] synchronous replica node included again");
      Sql.execute(t.primaryUrl, "ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
      nodes.terminateBoth();
    }
  }

  /** Commits a row now and then until the push link shows no error: the replica node caught up and is included. */
  private static void awaitIncluded(FerryCli cli, Topology t, Path primaryConfig) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Status.of(cli, primaryConfig).path("links").get(0).path("lastError").isNull()) {
      assertThat(System.nanoTime()).as("the replica node is included again").isLessThan(deadline);
      insert(t.primaryUrl, MORE.incrementAndGet(), "sync-more").get(60, TimeUnit.SECONDS);
      Thread.sleep(300);
    }
  }

  /** Inserts a history row on its own connection; completes with the milliseconds the COMMIT took. */
  private static CompletableFuture<Long> insert(String url, long id, String memo) {
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

  private static void awaitSync(String url, String app) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"sync".equals(Sql.scalar(url, "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
        + app + "'"))) {
      assertThat(System.nanoTime()).as("capture's walsender %s becomes synchronous: %s", app,
          Sql.rows(url, "SELECT application_name, sync_state FROM pg_stat_replication")).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, p.pid()).isZero();
  }
}
