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
 * it is included again. Level {@code apply}: {@link SyncApplyTest}.
 */
@Timeout(600)
class SyncPushTest {
  // Long enough that a COMMIT on a loaded machine (a slow fsync, a pause) stays well apart from one held to the timeout.
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aCommitReturnsOnlyOnceTheReplicaNodeHasItDurablyAndAFailedOneIsExcludedAfterTheTimeout() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      SyncNodes sync = SyncNodes.start(dir, t, cli, "receive", SYNC_TIMEOUT);
      NodePair nodes = sync.nodes;

      signal(nodes.replica, "STOP");
      CompletableFuture<Long> frozen = sync.insert(9_000_001, "sync-frozen");
      Thread.sleep(1200);
      assertThat(frozen).as("the COMMIT waits while the replica node is frozen").isNotDone();
      signal(nodes.replica, "CONT");
      frozen.get(20, TimeUnit.SECONDS);
      FerryCli.kill9(nodes.replica);
      JournalDump.of(cli, sync.copy, dir);
      assertThat(Files.readString(dir.resolve("dump.jsonl"))).as("the row is in the replica node's copy")
          .contains("sync-frozen");

      int killed = NodePair.read(nodes.primaryLog).length();
      long waited = sync.insert(9_000_002, "sync-excluded").get(60, TimeUnit.SECONDS);
      assertThat(waited).as("ms the COMMIT waited with the replica node gone")
          .isGreaterThanOrEqualTo(SYNC_TIMEOUT.toMillis() - 500).isLessThan(SYNC_TIMEOUT.toMillis() + 10_000);
      JsonNode link = sync.awaitLink(l -> l.path("lastError").asString().contains("synchronous replica node excluded"));
      assertThat(link.path("lastError").asString()).contains("within sync-timeout 10000 ms");
      assertThat(cli.run(Duration.ofSeconds(60), "status", "-c", nodes.primaryConfig.toString()).stdout())
          .contains("link     push b 127.0.0.1:" + sync.port).contains("synchronous replica node excluded");
      assertThat(NodePair.read(nodes.primaryLog).substring(killed))
          .contains("[push b] synchronous replica node excluded");
      assertThat(sync.insert(9_000_003, "sync-fast").get(60, TimeUnit.SECONDS))
          .as("ms a COMMIT waits once the replica node is excluded").isLessThan(SYNC_TIMEOUT.toMillis() - 500);

      int restarted = NodePair.read(nodes.primaryLog).length();
      nodes.startReplica();
      sync.awaitIncluded();
      assertThat(NodePair.read(nodes.primaryLog).substring(restarted))
          .contains("[push b] synchronous replica node included again");
      sync.stop();
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", signal, p.pid()).isZero();
  }
}
