package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.DIGEST;
import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.count;
import static dev.ferry.e2e.NodeConfigs.freePort;
import static dev.ferry.e2e.NodeConfigs.from;
import static dev.ferry.e2e.NodeConfigs.insert;
import static dev.ferry.e2e.NodeConfigs.journal;
import static dev.ferry.e2e.NodeConfigs.replica;
import static dev.ferry.e2e.NodeConfigs.serve;
import static dev.ferry.e2e.NodeConfigs.source;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.FaultProxy;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry promote --fetch-from} through real processes (docs/failover.md): primary A serves its
 * journal over HTTP to replica nodes B and C; B is stopped behind C; A is killed with SIGKILL. Promote
 * with {@code --sibling C} refuses naming the GTIDs C holds; a promote fetching from C over a throttled
 * HTTP link is killed with SIGKILL in the middle of the fetch; promote {@code --fetch-from c.yaml} then
 * completes the copy, promotes B holding every transaction C had, and C, re-pointed to B, follows it.
 */
@Timeout(300)
class PromoteFetchTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void fetchesWhatASiblingHoldsBeforePromotingEvenAfterAKillInTheMiddle() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String a = pg.createDatabase("a");
      String b = pg.createDatabase("b");
      String c = pg.createDatabase("c");
      Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
      int portA = freePort();
      int portB = freePort();
      int portC = freePort();
      Path ca = write("a.yaml", source("primary", a, "") + journal(dir.resolve("a-journal"), false)
          + serve(portA, "b, c"));
      Path cbRun = write("b-run.yaml", source("primary", a, "") + journal(dir.resolve("b-journal"), true)
          + from(portA, "b") + replica("pg", b));
      // For the promotion: B's database shares A's cluster, so its capture slot needs a name of its own there.
      Path cb = write("b.yaml", Files.readString(cbRun).replace("  name: primary\n", "  name: primary\n  slot: ferry_b\n"));
      assertThat(Files.readString(cb)).contains("slot: ferry_b");
      // C serves its copy to a consumer that never fetches, so it keeps every segment it received.
      Path cc = write("c.yaml", source("primary", a, "") + journal(dir.resolve("c-journal"), true)
          + from(portA, "c") + serve(portC, "nobody") + replica("pg", c));
      Process[] runs = NodeConfigs.startPrimaryAndTwoReplicaNodes(cli, dir, ca, cbRun, cc, a);
      Process pa = runs[0];
      Process pb = runs[1];
      Process pc = runs[2];
      insert(a, "a", 20);
      await("B applies 21 rows", () -> count(b) == 21);
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();
      for (int batch = 0; batch < 4; batch++) { // segments of about 6 KiB each (segment-age 1s)
        for (int t = 0; t < 5; t++) {
          Sql.execute(a, "INSERT INTO items (v) SELECT (SELECT string_agg(md5(random()::text), '') FROM "
              + "generate_series(1, 20)) FROM generate_series(1, 2)");
        }
        Thread.sleep(1500);
      }
      await("C applies 61 rows", () -> count(c) == 61);
      String[] seen = {""};
      await("A's journal and C's copy end at the same transaction", () -> {
        seen[0] = Status.of(cli, ca).path("journal").path("lastGtid").asString();
        return seen[0].equals(Status.of(cli, cc).path("journal").path("lastGtid").asString());
      });
      String lastOfC = seen[0];
      FerryCli.kill9(pa);

      FerryCli.Result sibling = cli.run(Duration.ofMinutes(2), "promote", "--capture", "-c", cb.toString(),
          "--sibling", cc.toString());
      assertThat(sibling.exitCode()).as(sibling.all()).isEqualTo(1);
      assertThat(sibling.stderr()).contains("cannot promote " + cb + ": a sibling holds what it lacks: GTIDs [0-1-",
          lastOfC + "] held by " + cc, "nothing was changed");

      long segmentsBefore = segments(dir.resolve("b-journal"));
      try (FaultProxy slow = FaultProxy.start(portC)) {
        slow.throttle(2 * 1024);
        Process killed = cli.start(dir.resolve("promote-killed.log"), "promote", "--capture", "-c", cb.toString(),
            "--fetch-from", "http://127.0.0.1:" + slow.port() + "/");
        await("the killed promote fetched a segment", () -> segments(dir.resolve("b-journal")) > segmentsBefore);
        FerryCli.kill9(killed);
      }
      assertThat(Files.exists(dir.resolve("b-journal").resolve("promotion.json"))).as("killed while fetching").isFalse();
      assertThat(FerryCli.terminate(pc, Duration.ofSeconds(90))).isZero();

      FerryCli.Result done = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", cb.toString(),
          "--fetch-from", cc.toString(), "--sibling", cc.toString());
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.stdout()).containsPattern("fetched 0-1-\\d+\\.\\." + Pattern.quote(lastOfC)
          + " \\(\\d+ transactions, segments? [0-9.]+\\) from " + Pattern.quote(cc.toString()))
          .contains("promoted: branch point " + lastOfC, "capture prepared on replica pg");
      assertThat(Sql.scalar(b, DIGEST)).as("B holds every transaction C had").isEqualTo(Sql.scalar(c, DIGEST));
      FerryCli.Result again = cli.run(Duration.ofMinutes(2), "promote", "--capture", "-c", cb.toString(),
          "--fetch-from", cc.toString());
      assertThat(again.exitCode()).as(again.all()).isZero();
      assertThat(again.stdout()).contains("fetched nothing: the promotion of");

      Path cb2 = write("b2.yaml", source("primary", b, "  slot: ferry_b\n  gtid:\n    server-id: 2\n")
          + journal(dir.resolve("b-journal"), false) + serve(portB, "c"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      insert(b, "b", 10);
      Path cc2 = write("c2.yaml", Files.readString(cc).replace("127.0.0.1:" + portA + "/", "127.0.0.1:" + portB + "/"));
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", cc2.toString());
      await("C, re-pointed to B, converges to B's rows", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(count(c)).isEqualTo(71);
      for (Process p : new Process[] {pc2, pb2}) {
        assertThat(FerryCli.terminate(p, Duration.ofSeconds(90))).isZero();
      }
    }
  }

  /** The segment files in a journal directory (sealed and open). */
  private static long segments(Path journal) throws Exception {
    try (Stream<Path> files = Files.list(journal)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d{20}.*")).count();
    }
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }
}
