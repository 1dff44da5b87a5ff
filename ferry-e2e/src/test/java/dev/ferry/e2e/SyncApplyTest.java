package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;


import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Synchronous push, level {@code apply}, PostgreSQL source (set up as {@link SyncPushTest}): a
 * client's {@code COMMIT} returns only once the replica node's replica committed the row. A test
 * transaction on the replica's database holds a lock on {@code history}, so the node receives the
 * row into its copy (where {@code receive} would have released the commit) but cannot apply it:
 * the commit waits; once the lock is released it returns, and the row is in the target by then.
 * The replica node's replicas write their consumer files only every 10 minutes ({@link SyncNodes}),
 * so these commits, and five more each returning within half the timeout, are released by the
 * node's report of each apply commit, not by the periodic write.
 * With the lock held again and the replica node killed (SIGKILL) while a commit waits, the commit
 * returns after {@code sync-timeout}, the primary's status names the excluded node, the next commit
 * does not wait; the restarted node is included again, converges, and holds the row once.
 */
@Timeout(600)
class SyncApplyTest {
  // Long enough that waiting for the row in the copy (a JVM per dump on a loaded machine) stays well inside it.
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void aCommitReturnsOnlyOnceTheReplicaCommittedItAndAReplicaNodeKilledMeanwhileLosesNothing() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      SyncNodes sync = SyncNodes.start(dir, t, cli, "apply", SYNC_TIMEOUT);
      NodePair nodes = sync.nodes;

      try (Connection lock = lockHistory(t.pgReplicaUrl)) {
        long start = System.nanoTime();
        CompletableFuture<Long> held = sync.insert(9_000_011, "sync-apply-held");
        awaitInCopy(sync, "sync-apply-held");
        Thread.sleep(Math.max(0, 3000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        assertThat(held).as("the COMMIT waits: the row is in the replica node's copy but not applied").isNotDone();
        assertThat(onTarget(t, "sync-apply-held")).as("rows on the replica while the lock is held").isZero();
        lock.rollback();
        long waited = held.get(30, TimeUnit.SECONDS);
        assertThat(onTarget(t, "sync-apply-held")).as("the row on the replica when the COMMIT returned").isEqualTo(1);
        assertThat(waited).as("ms the COMMIT waited (released by the replica, not by exclusion)")
            .isLessThan(SYNC_TIMEOUT.toMillis());
      }
      assertThat(sync.link().path("lastError").isNull()).as("the replica node is still included").isTrue();
      for (int i = 0; i < 5; i++) { // the replicas write their consumer file every 10 minutes: reports release these
        assertThat(sync.insert(9_000_020 + i, "sync-apply-prompt").get(60, TimeUnit.SECONDS))
            .as("ms commit %d waited, the replica's consumer file written every %d ms", i, SyncNodes.ACK_EVERY_MS)
            .isLessThan(SYNC_TIMEOUT.toMillis() / 2);
      }
      assertThat(onTarget(t, "sync-apply-prompt")).isEqualTo(5);
      assertThat(sync.link().path("lastError").isNull()).as("no commit released by exclusion").isTrue();

      int killing = NodePair.read(nodes.primaryLog).length();
      try (Connection lock = lockHistory(t.pgReplicaUrl)) {
        CompletableFuture<Long> killed = sync.insert(9_000_012, "sync-apply-killed");
        awaitInCopy(sync, "sync-apply-killed");
        assertThat(killed).as("the COMMIT waits for the blocked replica").isNotDone();
        FerryCli.kill9(nodes.replica);
        long waited = killed.get(60, TimeUnit.SECONDS);
        assertThat(waited).as("ms the COMMIT waited with the replica node killed meanwhile")
            .isGreaterThanOrEqualTo(SYNC_TIMEOUT.toMillis() - 500).isLessThan(SYNC_TIMEOUT.toMillis() + 15_000);
        JsonNode link = sync.awaitLink(
            l -> l.path("lastError").asString().contains("synchronous replica node excluded"));
        assertThat(link.path("lastError").asString()).contains("did not acknowledge (apply)").contains("within sync-timeout 20000 ms");
        assertThat(cli.run(Duration.ofSeconds(60), "status", "-c", nodes.primaryConfig.toString()).stdout())
            .contains("link     push b 127.0.0.1:" + sync.port).contains("synchronous replica node excluded");
        assertThat(NodePair.read(nodes.primaryLog).substring(killing))
            .contains("[push b] synchronous replica node excluded: it did not acknowledge (apply)");
        assertThat(sync.insert(9_000_013, "sync-apply-fast").get(60, TimeUnit.SECONDS))
            .as("ms a COMMIT waits once the replica node is excluded").isLessThan(SYNC_TIMEOUT.toMillis() / 2);
        lock.rollback(); // the killed node's transaction, blocked until now, rolls back
      }

      int restarted = NodePair.read(nodes.primaryLog).length();
      nodes.startReplica();
      sync.awaitIncluded();
      assertThat(NodePair.read(nodes.primaryLog).substring(restarted))
          .contains("[push b] synchronous replica node included again");
      t.awaitPgEqual(Duration.ofSeconds(60));
      assertThat(onTarget(t, "sync-apply-killed")).as("the row committed while the node was killed, on the replica")
          .isEqualTo(1);
      assertThat(Sql.scalar(t.pgReplicaUrl, "SELECT count(*) FROM history WHERE id BETWEEN 9000011 AND 9000013"))
          .isEqualTo("3");
      sync.stop();
    }
  }

  /** A transaction on the replica's database holding a lock on {@code history} that every INSERT waits for. */
  private static Connection lockHistory(String url) throws Exception {
    return Sql.openTransaction(url, "LOCK TABLE history IN SHARE MODE");
  }

  private static long onTarget(Topology t, String memo) throws Exception {
    return Long.parseLong(Sql.scalar(t.pgReplicaUrl, "SELECT count(*) FROM history WHERE memo = '" + memo + "'"));
  }

  /** Waits until {@code ferry journal dump} of the replica node's copy (it runs meanwhile) shows the row. */
  private static void awaitInCopy(SyncNodes sync, String memo) throws Exception {
    long deadline = System.nanoTime() + SYNC_TIMEOUT.multipliedBy(3).dividedBy(4).toNanos();
    Path dump = sync.copy.getParent().resolveSibling("dump.jsonl");
    do {
      JournalDump.of(sync.cli, sync.copy, dump.getParent());
      if (Files.readString(dump).contains(memo)) {
        return;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("row " + memo + " not in the replica node's copy " + sync.copy);
  }
}
