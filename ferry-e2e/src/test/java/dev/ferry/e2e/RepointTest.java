package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.DIGEST;
import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.count;
import static dev.ferry.e2e.NodeConfigs.freePort;
import static dev.ferry.e2e.NodeConfigs.insert;
import static dev.ferry.e2e.NodeConfigs.journal;
import static dev.ferry.e2e.NodeConfigs.replica;
import static dev.ferry.e2e.NodeConfigs.serve;
import static dev.ferry.e2e.NodeConfigs.source;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry failover --repoint} and {@code ferry repoint} through real processes
 * (docs/failover.md, "Re-pointing the other replica nodes"): primary A serves its journal over HTTP
 * to replica nodes B and C; A is killed with SIGKILL, B is stopped and promoted, and C — still
 * running — is re-pointed to B by {@code journal-from.json}: it switches source without a restart,
 * converges to B's rows without a re-snapshot, shows the override in {@code ferry status}, and keeps
 * it across a restart. Bad input is refused by name.
 */
@Timeout(300)
class RepointTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void aRunningReplicaNodeRepointedByFailoverFollowsThePromotedNodeWithoutRestartOrReseed() throws Exception {
    // B's database in a cluster of its own: promote --capture makes a slot there, and slot names are a cluster's.
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      PromoteTrio trio = new PromoteTrio(dir, cli);
      PromoteTrio.Nodes t = trio.start(pg, other, true);
      String b = t.b();
      String c = t.c();
      int portA = trio.portA();
      int portB = trio.portB();
      Path cb = t.cb();
      Path cc = t.cc();
      Process pc = t.pc();
      insert(t.a(), "a", 20);
      await("B and C apply 21 rows", () -> count(b) == 21 && count(c) == 21);
      FerryCli.kill9(t.pa());
      assertThat(FerryCli.terminate(t.pb(), Duration.ofSeconds(90))).isZero();

      refusesBadInput(cli, cc);
      FerryCli.Result plan = cli.run(Duration.ofMinutes(5), "failover", "--capture", "--repoint", "--dry-run",
          "-c", cb.toString(), "-c", cc.toString());
      assertThat(plan.exitCode()).as(plan.all()).isZero();
      assertThat(plan.stdout()).contains("--repoint would write " + dir.resolve("c-journal").resolve("journal-from.json")
          + ": http http://127.0.0.1:" + portB + "/ consumer c (instead of the configured http http://127.0.0.1:"
          + portA + "/ consumer c)", "dry run: nothing was changed");
      assertThat(dir.resolve("c-journal").resolve("journal-from.json")).doesNotExist();

      FerryCli.Result done = cli.run(Duration.ofMinutes(5), "failover", "--capture", "--repoint",
          "-c", cb.toString(), "-c", cc.toString());
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.stdout()).contains("promoted: branch point", "re-pointed " + cc + " to http http://127.0.0.1:"
          + portB + "/ consumer c (instead of the configured http http://127.0.0.1:" + portA + "/ consumer c)");
      Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n")
          + journal(dir.resolve("b-journal"), false) + serve(portB, "c"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      insert(b, "b", 10);
      await("C, still running, converges to B's rows", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(count(c)).isEqualTo(31);
      assertThat(pc.isAlive()).as("C was not restarted").isTrue();
      String cLog = Files.readString(dir.resolve("c.log"));
      assertThat(cLog).contains("journal.from re-pointed by journal-from.json while running: switching from http"
          + " http://127.0.0.1:" + portA + "/ consumer c to http http://127.0.0.1:" + portB + "/ consumer c");
      assertThat(cLog.split("seeding it from a snapshot", -1)).as("C was seeded once, at its first start, not again")
          .hasSize(2);

      JsonNode status = Status.of(cli, cc);
      assertThat(status.path("repoint").path("url").asString()).isEqualTo("http://127.0.0.1:" + portB + "/");
      assertThat(status.path("repoint").path("command").asString()).isEqualTo("ferry failover --repoint");
      FerryCli.Result text = cli.run(Duration.ofMinutes(1), "status", "-c", cc.toString());
      assertThat(text.stdout()).contains("journal.from re-pointed by 'ferry failover --repoint' at ",
          ": http http://127.0.0.1:" + portB + "/ consumer c (instead of the configured http http://127.0.0.1:"
          + portA + "/ consumer c, journal-from.json)");

      assertThat(FerryCli.terminate(pc, Duration.ofSeconds(90))).isZero();
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", cc.toString());
      insert(b, "b-more", 5);
      await("C, restarted, keeps following B", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(count(c)).isEqualTo(36);
      assertThat(Files.readString(dir.resolve("c2.log")))
          .contains("journal.from re-pointed by journal-from.json: receiving from http http://127.0.0.1:" + portB
              + "/ consumer c instead of the configured http http://127.0.0.1:" + portA + "/ consumer c")
          .doesNotContain("seeding it from a snapshot");
      for (Process p : new Process[] {pc2, pb2}) {
        assertThat(FerryCli.terminate(p, Duration.ofSeconds(90))).isZero();
      }
    }
  }

  /** An unknown node file and a URL that is no HTTP URL are usage errors; a push listener is refused by name. */
  private void refusesBadInput(FerryCli cli, Path cc) throws Exception {
    FerryCli.Result unknown = cli.run(Duration.ofMinutes(1), "repoint", "-c", dir.resolve("nope.yaml").toString(),
        "--url", "http://127.0.0.1:1/");
    assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("nope.yaml").doesNotContain("Exception");
    FerryCli.Result ftp = cli.run(Duration.ofMinutes(1), "repoint", "-c", cc.toString(), "--url", "ftp://b/");
    assertThat(ftp.exitCode()).as(ftp.all()).isEqualTo(2);
    assertThat(ftp.stderr()).contains("--url: 'ftp://b/' is not an http:// or https:// URL").doesNotContain("Exception");
    Path listener = write("p.yaml", source("primary", "jdbc:postgresql://127.0.0.1:1/p", "")
        + journal(dir.resolve("p-journal"), true) + "  from:\n    listen:\n      address: 127.0.0.1:" + freePort()
        + "\n      secret: repoint-e2e-secret-0123456789\n" + replica("pg", "jdbc:postgresql://127.0.0.1:1/q"));
    FerryCli.Result push = cli.run(Duration.ofMinutes(1), "repoint", "-c", listener.toString(), "--url",
        "http://127.0.0.1:1/");
    assertThat(push.exitCode()).as(push.all()).isEqualTo(1);
    assertThat(push.stderr()).contains("cannot re-point " + listener + ": its journal.from is a push listener",
        "add this node to the promoted node's journal.push").doesNotContain("Exception");
    assertThat(dir.resolve("p-journal").resolve("journal-from.json")).doesNotExist();
    assertThat(dir.resolve("c-journal").resolve("journal-from.json")).doesNotExist();
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }
}
