package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A primary and a replica node as two {@code bin/ferry run} processes with separate directories,
 * talking only over TCP on 127.0.0.1: the primary captures PostgreSQL and pushes its journal
 * ({@code journal.push}, a shared secret) — sealed segments and the live tail of the open one —
 * to the replica node's receiver ({@code journal.from.listen}), which writes it into its journal
 * copy and applies the copy to a PostgreSQL and a SQLite replica. Under a 4-client load the sender
 * and the receiver are each killed with SIGKILL three times at seeded random moments (mid-segment:
 * the tail streams record by record) and restarted: both replicas end equal to the source, every
 * sealed segment of the copy has the SHA-256 of the primary's (as its archive holds it: the primary
 * purges what the replica node has), both ends show the link streaming with
 * nothing unacknowledged, and the secret shows in no log and no status.
 */
@Timeout(600)
class PushTransportCrashTest {
  private static final long SEED = 14_0140L;
  private static final String SECRET = "e2e-push-secret-5c1d9e";

  @TempDir Path dir;

  @Test
  void senderAndReceiverKilledAtRandomLoseAndDuplicateNothingAndTheCopyIsByteIdentical() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path primaryJournal = dir.resolve("primary/journal");
      Path copy = dir.resolve("replica/journal");
      Files.createDirectories(primaryJournal.getParent());
      Files.createDirectories(copy.getParent());
      // The primary purges what the replica node has (its consumer push.b): its archive keeps every
      // sealed segment as the primary wrote it, to compare the copy with.
      Path archive = dir.resolve("archive");
      int port = NodePair.freePort();
      String timing = "heartbeat: 200ms\n      timeout: 2s\n      retry-max: 1s\n";
      Path primaryConfig = Files.writeString(dir.resolve("primary.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + primaryJournal
          + "\n  segment-size: 64KiB\n  segment-age: 5s\n  archive:\n    dir: " + archive
          + "\n  push:\n    - name: b\n      to: 127.0.0.1:" + port
          + "\n      secret: " + SECRET + "\n      " + timing);
      Path replicaConfig = Files.writeString(dir.resolve("replica.yaml"), "source:\n  name: primary\n  url: "
          + t.primaryUrl + "\n  tables: { include: ['public\\..*'] }\njournal:\n  dir: " + copy
          + "\n  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n      secret: " + SECRET + "\n      "
          + timing + "replicas:\n  - name: pg\n    url: " + t.pgReplicaUrl + "\n  - name: lite\n    url: "
          + t.liteReplica.jdbcUrl() + "\n");
      NodePair nodes = new NodePair(cli, dir, primaryConfig, replicaConfig);
      nodes.startPrimary();
      t.load(); // the copy takes the primary's UUID from segment 1: the primary must have written something
      nodes.startReplica();
      try (WorkloadRunner workload = t.workload(5)) {
        nodes.killBothAtRandom(random, workload, 3);
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(240))).as("differences; %s", nodes.logs()).isEmpty();
      assertThat(nodes.primary.isAlive()).isTrue();
      assertThat(nodes.replica.isAlive()).isTrue();

      JsonNode[] ends = awaitBothEndsAgree(cli, primaryConfig, replicaConfig);
      JsonNode sent = ends[0];
      JsonNode received = ends[1];
      assertThat(sent.path("kind").asString()).isEqualTo("push");
      assertThat(sent.path("name").asString()).isEqualTo("b 127.0.0.1:" + port);
      assertThat(received.path("kind").asString()).isEqualTo("push");
      assertThat(received.path("state").asString()).isEqualTo("streaming");
      // Read again: the open segment may be sealed by age meanwhile, which moves both ends on together.
      java.util.regex.Pattern line = java.util.regex.Pattern.compile("link     push b 127\\.0\\.0\\.1:" + port
          + ": streaming, sent to (\\d+:\\d+), acknowledged to \\1,");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String text = cli.run(Duration.ofSeconds(60), "status", "-c", primaryConfig.toString()).stdout();
      while (!line.matcher(text).find() && System.nanoTime() < deadline) {
        Thread.sleep(300);
        text = cli.run(Duration.ofSeconds(60), "status", "-c", primaryConfig.toString()).stdout();
      }
      assertThat(text).containsPattern(line).doesNotContain(SECRET);
      assertThat(cli.run(Duration.ofSeconds(60), "status", "-c", replicaConfig.toString()).stdout())
          .doesNotContain(SECRET);
      assertThat(NodePair.read(nodes.replicaLog)).doesNotContain(SECRET);
      assertThat(NodePair.read(nodes.primaryLog)).doesNotContain(SECRET).contains("[push b 127.0.0.1:" + port + "]");

      awaitArchived(archive, copy);
      NodePair.assertSealedSegmentsIdentical(archive, copy);
      nodes.terminateBoth();
    }
  }

  /**
   * The primary's push link and the replica node's, once the replica node acknowledged everything
   * sent and says it holds that much. The two statuses are read one after the other: a segment
   * sealed by age in between ends the position at the next segment's start, so they are read again
   * (and the replica node's status file, written about once a second, may still show it reconnecting).
   */
  private static JsonNode[] awaitBothEndsAgree(FerryCli cli, Path primaryConfig, Path replicaConfig)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode link = Status.of(cli, primaryConfig).path("links").get(0);
      JsonNode other = Status.of(cli, replicaConfig).path("links").get(0);
      if (link != null && other != null && link.path("state").asString().equals("streaming")
          && !link.path("sent").isNull() && link.path("sent").equals(link.path("received"))
          && other.path("received").equals(link.path("sent")) && other.path("state").asString().equals("streaming")) {
        return new JsonNode[] {link, other};
      }
      assertThat(System.nanoTime()).as("the push link catches up: %s; the replica node's: %s", link, other)
          .isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** Waits until every sealed segment of the copy is in the primary's archive. */
  private static void awaitArchived(Path archive, Path copy) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!DirectoryTransportCrashTest.sealed(copy).stream().allMatch(s -> Files.exists(archive.resolve(
        s.getFileName())))) {
      assertThat(System.nanoTime()).as("the primary archives what the copy holds").isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
