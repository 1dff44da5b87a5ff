package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.count;
import static dev.ferry.e2e.NodeConfigs.insert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica node that received more of the old primary's history than the promoted node is refused
 * when re-pointed to it, naming the segment and the first GTID that differs, and takes nothing of the
 * new primary's (docs/failover.md, "Re-pointing the other replica nodes"), through real processes:
 * primary A serves its journal over HTTP to replica nodes B and C; B is stopped behind, A is killed
 * with SIGKILL, {@code ferry promote --capture} promotes B, whose {@code ferry run} continues the
 * journal; C, re-pointed to B, is refused. One subclass per transport C is re-pointed over (each a class
 * of its own, so that the two run in parallel forks).
 */
@Timeout(600)
abstract class RepointToPromotedRefused {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  /** True: B pushes to C over TCP, C listening; false: C downloads from B over HTTP. */
  abstract boolean push();

  @Test
  void aReplicaNodeThatHoldsMoreThanThePromotedOneIsRefusedNamingTheGtid() throws Exception {
    boolean push = push();
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      PromoteTrio trio = new PromoteTrio(dir, cli);
      PromoteTrio.Nodes t = trio.start(pg, other, false);
      String a = t.a();
      String b = t.b();
      String c = t.c();
      insert(a, "a", 50);
      await("B applies A's first 51 rows", () -> count(b) == 51);
      assertThat(FerryCli.terminate(t.pb(), Duration.ofSeconds(90))).isZero(); // B stays behind C
      insert(a, "a-late", 100);
      String lastOfA = Status.of(cli, t.ca()).path("journal").path("lastGtid").asString();
      await("C applies A's last transaction " + lastOfA, () -> count(c) == 151);
      FerryCli.kill9(t.pa());
      assertThat(FerryCli.terminate(t.pc(), Duration.ofSeconds(90))).isZero();
      // HTTP compares C's newest sealed segment; push the newest C holds records of (its open one, if any).
      long newestOfC = push ? dev.ferry.journal.JournalInspector.list(dir.resolve("c-journal")).stream()
          .filter(i -> i.recordCount() > 0).mapToLong(dev.ferry.journal.SegmentInfo::number).max().orElseThrow()
          : PromoteTrio.newestSealed(dir.resolve("c-journal"));

      FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", t.cb().toString());
      assertThat(promoted.exitCode()).as(promoted.all()).isZero();
      Path cb2 = trio.write("b2.yaml", NodeConfigs.source("primary", b, "  gtid:\n    server-id: 2\n")
          + trio.journal("b-journal", false) + (push ? trio.pushToC() : trio.serveB()));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      for (int i = 0; PromoteTrio.newestSealed(dir.resolve("b-journal")) < newestOfC; i++) { // B writes its own segment of that number
        assertThat(System.nanoTime()).as("B seals segment %d", newestOfC).isLessThan(deadline);
        Sql.execute(b, "INSERT INTO items (v) VALUES ('b-" + i + "')");
        Thread.sleep(200);
      }

      Path cc2 = push ? trio.write("c2.yaml", NodeConfigs.source("primary", a, "") + trio.journal("c-journal", true)
          + trio.listenForB() + NodeConfigs.replica("pg", c)) : trio.repointed(a, c);
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", cc2.toString());
      await("C's link is refused", () -> Status.of(cli, cc2).path("links").path(0).path("lastError").asString("")
          .contains("refused segment " + newestOfC));
      String error = Status.of(cli, cc2).path("links").path(0).path("lastError").asString();
      assertThat(error).as("names the first GTID that differs").containsPattern("GTID 0-1-\\d+").contains("seed it again");
      assertThat(count(c)).as("C took nothing of B's").isEqualTo(151);
      assertThat(FerryCli.terminate(pc2, Duration.ofSeconds(90))).isZero();
      assertThat(FerryCli.terminate(pb2, Duration.ofSeconds(90))).isZero();
    }
  }
}
