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

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry failover} through real processes (docs/failover.md, "At 3 a.m."): a PostgreSQL primary
 * A serves its journal over HTTP to replica nodes B, C and D, stopped at different positions; A is
 * killed with SIGKILL. Failover picks the most advanced node, promotes it with {@code --capture},
 * prints the {@code journal.from} each other node re-points to; re-pointed as printed, they converge to
 * the promoted database's rows. Where no node contains every other's history (one followed a node
 * promoted earlier, another received more of the old primary's), it refuses naming the GTIDs.
 */
@Timeout(600)
class FailoverTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void picksTheMostAdvancedNodePromotesItAndTheOthersFollowItAsPrinted() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      Nodes n = start(pg, other, cli, false);
      String a = n.a();
      String b = n.b();
      String c = n.c();
      String d = n.d();
      insert(a, "a", 20);
      await("D applies 21 rows", () -> count(d) == 21);
      assertThat(FerryCli.terminate(n.pd(), Duration.ofSeconds(90))).isZero(); // D holds least
      insert(a, "a-more", 30);
      await("C applies 51 rows", () -> count(c) == 51);
      assertThat(FerryCli.terminate(n.pc(), Duration.ofSeconds(90))).isZero();
      insert(a, "a-last", 40);
      await("B applies A's last rows", () -> count(b) == 91);
      // Status files are written once a second: read A's last GTID only once A's and B's agree.
      String[] seen = {""};
      await("A's journal and B's copy end at the same transaction", () -> {
        seen[0] = Status.of(cli, n.ca()).path("journal").path("lastGtid").asString();
        return seen[0].equals(Status.of(cli, n.cb()).path("journal").path("lastGtid").asString());
      });
      String lastOfA = seen[0];
      FerryCli.kill9(n.pa());
      String[] configs = {"-c", n.cc().toString(), "-c", n.cd().toString(), "-c", n.cb().toString()};

      FerryCli.Result plan = failover(cli, "--dry-run", configs);
      assertThat(plan.exitCode()).as(plan.all()).isZero();
      assertThat(plan.stdout()).contains("promote " + n.cb() + ": its history contains every other node's",
          "running (a process holds its journal.lock)", "dry run: nothing was changed")
          .containsPattern(Pattern.quote(n.cc().toString()) + ": lacks \\[0-1-\\d+\\.\\." + lastOfA + "\\] \\(\\d+ transactions\\); can follow")
          .containsPattern(Pattern.quote(n.cd().toString()) + ": lacks \\[0-1-\\d+\\.\\." + lastOfA + "\\] \\(\\d+ transactions\\); can follow");
      FerryCli.Result held = failover(cli, "--capture", configs);
      assertThat(held.exitCode()).as("B's run still holds its copy: " + held.all()).isEqualTo(1);
      assertThat(held.stderr()).contains("is held by another process");
      assertThat(FerryCli.terminate(n.pb(), Duration.ofSeconds(90))).isZero();

      FerryCli.Result done = failover(cli, "--capture", configs);
      assertThat(done.exitCode()).as(done.all()).isZero();
      assertThat(done.stdout()).contains("promoted: branch point " + lastOfA, "capture prepared on replica pg");
      assertThat(count(b)).isEqualTo(91);
      Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n")
          + journal(dir.resolve("b-journal"), false) + serve(n.portB(), "c, d"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      insert(b, "b", 10);
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", NodeConfigs.repointAsPrinted(dir, done.stdout(), n.cc(), "c").toString());
      Process pd2 = cli.start(dir.resolve("d2.log"), "run", "-c", NodeConfigs.repointAsPrinted(dir, done.stdout(), n.cd(), "d").toString());
      await("C converges to B's rows", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      await("D converges to B's rows", () -> Sql.scalar(d, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(count(c)).isEqualTo(101);
      assertThat(Files.readString(dir.resolve("d2.log"))).as("D continued, no re-snapshot")
          .doesNotContain("seeding it from a snapshot");
      for (Process p : new Process[] {pc2, pd2, pb2}) {
        assertThat(FerryCli.terminate(p, Duration.ofSeconds(90))).isZero();
      }
    }
  }

  /**
   * B is promoted by hand while behind C, and D follows B's continued journal: D holds B's own
   * transactions (server id 2) under sequence numbers C holds of A's history (server id 1). Neither
   * contains the other: failover refuses, naming the GTIDs and the nodes.
   */
  @Test
  void refusesNamingTheGtidsWhenNoNodeHoldsEveryOthersHistory() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      Nodes n = start(pg, other, cli, true);
      String a = n.a();
      String b = n.b();
      String c = n.c();
      String d = n.d();
      insert(a, "a", 20);
      await("D, through B, applies 21 rows", () -> count(d) == 21);
      assertThat(FerryCli.terminate(n.pb(), Duration.ofSeconds(90))).isZero();
      insert(a, "a-more", 30);
      await("C applies 51 rows", () -> count(c) == 51);
      FerryCli.kill9(n.pa());
      assertThat(FerryCli.terminate(n.pc(), Duration.ofSeconds(90))).isZero();
      FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", n.cb().toString());
      assertThat(promoted.exitCode()).as(promoted.all()).isZero();
      Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n")
          + journal(dir.resolve("b-journal"), false) + serve(n.portB(), "d"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      insert(b, "b", 10);
      await("D applies B's own transactions", () -> count(d) == 31);
      assertThat(FerryCli.terminate(n.pd(), Duration.ofSeconds(90))).isZero();
      assertThat(FerryCli.terminate(pb2, Duration.ofSeconds(90))).isZero();

      FerryCli.Result refused = failover(cli, "--dry-run", "-c", n.cc().toString(), "-c", n.cd().toString());
      assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
      assertThat(refused.stderr()).contains("no replica node holds every other's history", "nothing was changed",
          "--accept-loss").containsPattern("history from 0-2-(\\d+) on \\(it holds 0-2-\\1 with content checksum \\w+, "
          + Pattern.quote(n.cc().toString()) + " holds 0-1-\\1 ");
      FerryCli.Result promotedNode = failover(cli, "--dry-run", "-c", n.cc().toString(), "-c", n.cb().toString());
      assertThat(promotedNode.exitCode()).as(promotedNode.all()).isEqualTo(1);
      assertThat(promotedNode.stderr()).contains(n.cb() + ": journal", "was promoted at");
      FerryCli.Result usage = failover(cli, "--dry-run");
      assertThat(usage.exitCode()).as(usage.all()).isEqualTo(2);
      assertThat(usage.stderr()).contains("with -c FILE").doesNotContain("Exception");
      FerryCli.Result lossy = failover(cli, "--dry-run", "--accept-loss", "-c", n.cc().toString(), "-c", n.cd().toString());
      assertThat(lossy.exitCode()).as(lossy.all()).isZero();
      assertThat(lossy.stdout()).contains("promote " + n.cc() + ": no node's history contains every other's",
          n.cd() + ": lacks").contains("cannot follow " + n.cc() + " (its history differs from " + n.cc() + "'s at 0-2-");
      FerryCli.Result sibling = cli.run(Duration.ofMinutes(2), "promote", "-c", n.cd().toString(), "--sibling", n.cc().toString());
      assertThat(sibling.exitCode()).as(sibling.all()).isEqualTo(1);
      assertThat(sibling.stderr()).contains("cannot promote " + n.cd() + ": a sibling holds what it lacks: GTIDs [0-1-",
          "] held by " + n.cc(), "nothing was changed");
      assertThat(Files.exists(dir.resolve("d-journal").resolve("promotion.json"))).isFalse();
      assertThat(count(c)).as("nothing changed").isEqualTo(51);
    }
  }

  private static FerryCli.Result failover(FerryCli cli, String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "failover";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.run(Duration.ofMinutes(5), all);
  }

  private static FerryCli.Result failover(FerryCli cli, String first, String[] configs) throws Exception {
    String[] all = new String[configs.length + 1];
    all[0] = first;
    System.arraycopy(configs, 0, all, 1, configs.length);
    return failover(cli, all);
  }

  /** The primary A, replica nodes B, C and D, each with one replica {@code pg}, all streaming. */
  private record Nodes(String a, String b, String c, String d, int portB, Path ca, Path cb, Path cc, Path cd,
      Process pa, Process pb, Process pc, Process pd) {}

  /**
   * A (serving its journal over HTTP) and replica nodes B (its database in {@code other}: promote
   * --capture makes a slot there, and slot names are a cluster's), C and D. B serves its copy while it is
   * a replica node, so it keeps what its consumers lack (docs/failover.md). With {@code dFromB} D follows B
   * instead of A, and C and D keep their copies (a consumer that never fetches), so both still hold the
   * transactions where they differ.
   */
  private Nodes start(PostgresCluster pg, PostgresCluster other, FerryCli cli, boolean dFromB) throws Exception {
    String a = pg.createDatabase("a");
    String b = other.createDatabase("b");
    String c = pg.createDatabase("c");
    String d = pg.createDatabase("d");
    Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
    int portA = freePort();
    int portB = freePort();
    String keep = dFromB ? serve(freePort(), "nobody") : "";
    Path ca = write("a.yaml", source("primary", a, "") + journal(dir.resolve("a-journal"), false)
        + serve(portA, dFromB ? "b, c" : "b, c, d"));
    Path cb = replicaNode("b", a, b, portA, serve(portB, dFromB ? "d" : "c, d"));
    Path cc = replicaNode("c", a, c, portA, keep);
    Path cd = dFromB ? write("d.yaml", source("primary", a, "") + journal(dir.resolve("d-journal"), true)
        + from(portB, "d") + serve(freePort(), "nobody") + replica("pg", d)) : replicaNode("d", a, d, portA, "");
    Process pa = cli.start(dir.resolve("a.log"), "run", "-c", ca.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, ca, pa);
    Sql.execute(a, "INSERT INTO items (v) VALUES ('first')");
    Process pb = cli.start(dir.resolve("b.log"), "run", "-c", cb.toString());
    Process pc = cli.start(dir.resolve("c.log"), "run", "-c", cc.toString());
    Process pd = cli.start(dir.resolve("d.log"), "run", "-c", cd.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cb, pb);
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cc, pc);
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, cd, pd);
    return new Nodes(a, b, c, d, portB, ca, cb, cc, cd, pa, pb, pc, pd);
  }

  /** A replica node of A (its database {@code a}) named {@code name}, its one replica {@code pg} on {@code url}. */
  private Path replicaNode(String name, String a, String url, int portA, String serve) throws Exception {
    return write(name + ".yaml", source("primary", a, "") + journal(dir.resolve(name + "-journal"), true)
        + from(portA, name) + serve + replica("pg", url));
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }
}
