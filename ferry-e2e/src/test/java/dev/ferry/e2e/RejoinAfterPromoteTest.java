package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.count;
import static dev.ferry.e2e.NodeConfigs.insert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing and rejoining the old primary after {@code ferry promote --capture} (docs/failover.md,
 * "Fencing and rejoining the old primary"), through real processes: primary A serves its journal over
 * HTTP to replica nodes B and C; B is partitioned from A's tail, A is killed with SIGKILL and B promoted.
 */
@Timeout(600)
class RejoinAfterPromoteTest {
  private static final String DIGEST = NodeConfigs.DIGEST;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  /**
   * The old primary comes back with transactions the new primary never received: {@code ferry rejoin}
   * names the branch point and the first divergent GTID, exports them, and they are applied nowhere;
   * the old configuration's run is refused; A's host, run as a replica node of B, is re-seeded and
   * converges to B's rows.
   */
  @Test
  void theOldPrimarysTailIsExportedNeverMergedAndRejoinMakesItAReplicaOfTheNewPrimary() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      PromoteTrio trio = new PromoteTrio(dir, cli);
      PromoteTrio.Nodes t = trio.start(pg, other, true); // B keeps every segment C has not fetched from it: all of them
      String a = t.a();
      String b = t.b();
      assertThat(FerryCli.terminate(t.pc(), Duration.ofSeconds(90))).isZero(); // A keeps what C has not fetched
      insert(a, "a", 50);
      await("B applies A's first 51 rows", () -> count(b) == 51);
      String branch = Status.of(cli, t.cb()).path("journal").path("lastGtid").asString();
      assertThat(FerryCli.terminate(t.pb(), Duration.ofSeconds(90))).isZero(); // partitioned: A's tail never reaches B
      insert(a, "a-tail", 30);
      long seq = Long.parseLong(branch.substring(branch.lastIndexOf('-') + 1));
      await("A's journal holds its tail", () -> Status.of(cli, t.ca()).path("journal").path("lastGtid").asString()
          .equals("0-1-" + (seq + 30)));
      FerryCli.kill9(t.pa());
      Sql.execute(a, "INSERT INTO items (v) VALUES ('a-after-kill')"); // committed on A, only in A's slot
      FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", t.cb().toString());
      assertThat(promoted.stdout()).as(promoted.all()).contains("promoted: branch point " + branch);
      Path cb2 = trio.write("b2.yaml", NodeConfigs.source("primary", b, "  gtid:\n    server-id: 2\n")
          + trio.journal("b-journal", false) + NodeConfigs.serve(trio.portB(), "c, a"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      String from = "http://127.0.0.1:" + trio.portB() + "/";
      FerryCli.Result notOld = cli.run(Duration.ofMinutes(2), "rejoin", "-c", t.cb().toString(), "--from", from);
      assertThat(notOld.exitCode()).as(notOld.all()).isEqualTo(1);
      assertThat(notOld.stderr()).contains("sets journal.from");
      FerryCli.Result noInfo = cli.run(Duration.ofMinutes(2), "rejoin", "-c", t.ca().toString(), "--from", from);
      assertThat(noInfo.exitCode()).as(noInfo.all()).isEqualTo(1);
      assertThat(noInfo.stderr()).contains("no divergence information", "nothing was changed");
      insert(b, "b", 40);

      FerryCli.Result[] rejoin = new FerryCli.Result[1];
      await("ferry rejoin finds B's own transactions, then A's transaction only in its slot", () -> {
        rejoin[0] = cli.run(Duration.ofMinutes(2), "rejoin", "-c", t.ca().toString(), "--from", from);
        assertThat(rejoin[0].stderr()).as(rejoin[0].all()).containsAnyOf("no divergence information", "holds 1");
        return rejoin[0].stderr().contains("holds 1 transaction(s) committed after the last one its journal holds");
      });
      assertThat(Files.exists(dir.resolve("a-journal").resolve("rejoined.json"))).as("nothing changed").isFalse();
      Path captureLog = dir.resolve("a-capture.log");
      Process capture = cli.start(captureLog, "capture", "-c", t.ca().toString()); // journal it, as the refusal says
      await("A's journal holds the transaction from its slot", () -> Status.of(cli, t.ca()).path("journal")
          .path("lastGtid").asString().equals("0-1-" + (seq + 31)));
      assertThat(FerryCli.terminate(capture, Duration.ofSeconds(90))).isZero();
      rejoin[0] = cli.run(Duration.ofMinutes(2), "rejoin", "-c", t.ca().toString(), "--from", from);
      assertThat(rejoin[0].exitCode()).as(rejoin[0].all()).isZero();
      // Only what the comparison needs is downloaded: A's purged segments and the history both hold are not.
      assertThat(rejoin[0].stdout()).containsPattern("compared with " + java.util.regex.Pattern.quote(from)
          + ": \\d+ segment\\(s\\) identical to this journal's, \\d+ downloaded");
      Path exported = dir.resolve("a-journal.divergent-after-" + branch + ".jsonl");
      assertThat(rejoin[0].stdout()).contains("branch point " + branch, "the new primary's first transaction: 0-2-"
          + (seq + 1), "31 transactions", "0-1-" + (seq + 1) + "..0-1-" + (seq + 31), exported.toString());
      java.util.List<String> lines = Files.readAllLines(exported);
      assertThat(lines).hasSize(31);
      assertThat(lines.get(30)).contains("\"gtid\":\"0-1-" + (seq + 31) + "\"", "a-after-kill");
      FerryCli.Result again = cli.run(Duration.ofMinutes(2), "rejoin", "-c", t.ca().toString(), "--from", from);
      assertThat(again.exitCode()).as("safe to run again: " + again.all()).isZero();
      assertThat(again.stdout()).contains("31 transactions");
      assertThat(Files.readAllLines(exported)).isEqualTo(lines);
      for (int i = 0; i < 30; i++) {
        assertThat(lines.get(i)).contains("\"gtid\":\"0-1-" + (seq + 1 + i) + "\"", "a-tail-" + i);
      }
      assertThat(Sql.scalar(b, "SELECT count(*) FROM items WHERE v LIKE 'a-tail%' OR v = 'a-after-kill'")).as("never merged").isEqualTo("0");

      FerryCli.Result fenced = cli.run(Duration.ofMinutes(2), "run", "-c", t.ca().toString());
      assertThat(fenced.exitCode()).as(fenced.all()).isEqualTo(1);
      assertThat(fenced.stderr()).contains("fenced by 'ferry rejoin'", "branch point " + branch, "from 0-1-" + (seq + 1));

      Path ca2 = trio.write("a2.yaml", NodeConfigs.source("primary", b, "") + trio.journal("a2-journal", true)
          + NodeConfigs.from(trio.portB(), "a") + NodeConfigs.replica("pg", a));
      Process pa2 = cli.start(dir.resolve("a2.log"), "run", "-c", ca2.toString());
      insert(b, "b-after-rejoin", 10);
      await("A's database converges to B's rows", () -> Sql.scalar(a, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(Sql.scalar(a, "SELECT count(*) FROM items WHERE v LIKE 'a-tail%' OR v = 'a-after-kill'")).as("applied nowhere").isEqualTo("0");
      await("A's database is read-only like any replica (once its apply session is prepared after the seed)", () -> {
        try {
          Sql.execute(a, "BEGIN", "INSERT INTO items (v) VALUES ('local')", "ROLLBACK");
          return false;
        } catch (java.sql.SQLException e) {
          return e.getMessage().contains("read-only");
        }
      });
      assertThat(Sql.scalar(a, DIGEST)).isEqualTo(Sql.scalar(b, DIGEST));
      assertThat(FerryCli.terminate(pa2, Duration.ofSeconds(90))).isZero();
      assertThat(FerryCli.terminate(pb2, Duration.ofSeconds(90))).isZero();
    }
  }
}
