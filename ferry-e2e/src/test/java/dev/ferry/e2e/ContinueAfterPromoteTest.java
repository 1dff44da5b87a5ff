package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The promoted database continues the old primary's journal (docs/failover.md, "Capturing on the
 * promoted database"), through real processes: primary A serves its journal over HTTP to replica
 * nodes B and C. C is stopped behind, A runs on and is killed with SIGKILL; {@code ferry promote
 * --capture} promotes B, and B's {@code ferry run}, configured with its own database as source,
 * the copy as journal and no {@code journal.from}, captures new writes into the same journal, after
 * the branch point and under its own server id. C, re-pointed to B, receives the rest of the old
 * history and the new transactions without a re-snapshot and converges to B's rows; a SIGKILL of
 * B's run right after new commits, then a restart, loses and duplicates nothing. A replica node that
 * received more of A's history than B is refused when re-pointed to B, naming the first GTID B lacks.
 * The old primary coming back is fenced by {@code ferry rejoin}: its tail is exported, never merged,
 * and its database re-seeded as a replica of B.
 */
@Timeout(600)
class ContinueAfterPromoteTest {
  private static final String DIGEST = NodeConfigs.DIGEST;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void promotedNodeContinuesTheJournalAndASiblingReplicaFollowsItWithoutReseed() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      // B serves its copy to C as well (cascading), so that it keeps every segment C has not fetched from it:
      // what lets C re-point to B after the failover, however far behind it is.
      Trio t = startTrio(pg, other, cli, true);
      String a = t.a();
      String b = t.b();
      String c = t.c();
      Path ca = t.ca();
      Path cb = t.cb();
      Process pa = t.pa();
      Process pb = t.pb();
      Process pc = t.pc();
      insert(a, "a", 200);
      // Two DDL on A: the journal reaches schema sequence 2, above what a fresh _ferry.schema_sequence on B starts at.
      Sql.execute(a, "ALTER TABLE items ADD COLUMN note text", "ALTER TABLE items ADD COLUMN note2 text");
      await("C applies A's first 201 rows", () -> count(c) == 201);
      assertThat(FerryCli.terminate(pc, Duration.ofSeconds(90))).isZero(); // C stays behind B
      insert(a, "a-late", 200);
      String lastOfA = Status.of(cli, ca).path("journal").path("lastGtid").asString();
      await("B's copy holds A's last transaction " + lastOfA,
          () -> Status.of(cli, cb).path("journal").path("lastGtid").asString().equals(lastOfA));
      FerryCli.kill9(pa);
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();

      FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", cb.toString());
      assertThat(promoted.exitCode()).as(promoted.all()).isZero();
      assertThat(promoted.stdout()).contains("promoted: branch point " + lastOfA).contains("capture prepared on replica pg");
      long branch = Long.parseLong(lastOfA.substring(lastOfA.lastIndexOf('-') + 1));
      assertThat(count(b)).isEqualTo(401);

      // B as the source that continues the journal: its own database, the copy, no journal.from.
      Path sameServer = write("b-same-id.yaml", source("primary", b, "") + journal("b-journal", false)
          + serveB(t.portB()));
      FerryCli.Result refused = cli.run(Duration.ofMinutes(2), "run", "-c", sameServer.toString());
      assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
      assertThat(refused.stderr()).contains("source.gtid.server-id is 1, the old primary's");
      Path cb2 = continuing(b, t.portB());
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      insert(b, "b", 50);
      Sql.execute(b, "UPDATE items SET v = v || '-updated on b' WHERE id % 7 = 0", "DELETE FROM items WHERE id % 11 = 0");
      Sql.execute(b, "ALTER TABLE items ADD COLUMN extra int NOT NULL DEFAULT 7"); // DDL and a tag on the continued journal
      FerryCli.Result tag = cli.run(Duration.ofMinutes(2), "tag", "after-promotion", "-c", cb2.toString());
      assertThat(tag.exitCode()).as(tag.all()).isZero();
      insert(b, "b-after-ddl", 5);

      Path cc2 = repointed(a, c, t.portB());
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", cc2.toString());
      await("C converges to B's rows", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      JsonNode onC = Status.replica(Status.of(cli, cc2), "pg");
      String newest = onC.path("appliedGtid").asString();
      assertThat(newest).as("B's transactions carry its server id, after the branch point %s", lastOfA)
          .startsWith("0-2-");
      assertThat(Status.seq(onC.path("appliedGtid"))).isGreaterThan(branch + 50);
      assertThat(Sql.scalar(c, "SELECT applied_gtids FROM _ferry.replication_control")).as("one history, no hole")
          .isEqualTo("0:" + Status.seq(onC.path("appliedGtid")));
      await("status's appliedSet is C's progress row (every GTID of each grouped commit)", () -> Status.replica(
          Status.of(cli, cc2), "pg").path("appliedSet").asString().equals(Sql.scalar(c,
          "SELECT applied_gtids FROM _ferry.replication_control")));
      assertThat(Sql.scalar(c, "SELECT count(*) FROM items WHERE extra = 7")).as("B's DDL reached C")
          .isEqualTo(Long.toString(count(c)));
      String dumpOfB = cli.run(Duration.ofMinutes(2), "journal", "dump", dir.resolve("b-journal").toString()).stdout();
      assertThat(dumpOfB).contains("DDL (schema 2,").as("B's DDL numbered above A's last (2)")
          .containsPattern("DDL \\(schema 3, [^\\n]*ADD COLUMN extra");
      assertThat(cli.run(Duration.ofMinutes(2), "journal", "dump", dir.resolve("c-journal").toString()).stdout())
          .as("B's tag reached C's copy").contains("TAG after-promotion");

      // SIGKILL of B's run right after new commits; the restart captures them once.
      insert(b, "b-before-kill", 30);
      FerryCli.kill9(pb2);
      insert(b, "b-while-down", 20);
      Process pb3 = cli.start(dir.resolve("b3.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb3);
      insert(b, "b-after-restart", 10);
      await("C converges to B's rows after B's restart", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      JournalDump dump = JournalDump.of(cli, dir.resolve("b-journal"), dir);
      assertThat(dump.gtidGapsOrRepeats()).as("B's journal: consecutive GTIDs, no transaction twice").isEmpty();
      assertThat(Files.readString(dir.resolve("c2.log"))).as("C continued, no re-snapshot")
          .doesNotContain("seeding it from a snapshot");
      assertThatThrownBy(() -> Sql.execute(c, "INSERT INTO items (v) VALUES ('local')"))
          .as("C is still a read-only replica: promote's lifting of B's guards was not replicated")
          .hasMessageContaining("read-only");
      assertThat(FerryCli.terminate(pc2, Duration.ofSeconds(90))).isZero();
      assertThat(FerryCli.terminate(pb3, Duration.ofSeconds(90))).isZero();
    }
  }

  /** C re-pointed to B over HTTP (C downloads from B) or over TCP push (B pushes to C, which listens). */
  @ParameterizedTest(name = "re-pointed over {0}")
  @ValueSource(strings = {"http", "push"})
  void aReplicaNodeThatHoldsMoreThanThePromotedOneIsRefusedNamingTheGtid(String transport) throws Exception {
    boolean push = transport.equals("push");
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      Trio t = startTrio(pg, other, cli, false);
      String a = t.a();
      String b = t.b();
      String c = t.c();
      Path cb = t.cb();
      Process pa = t.pa();
      Process pc = t.pc();
      insert(a, "a", 50);
      await("B applies A's first 51 rows", () -> count(b) == 51);
      assertThat(FerryCli.terminate(t.pb(), Duration.ofSeconds(90))).isZero(); // B stays behind C
      insert(a, "a-late", 100);
      String lastOfA = Status.of(cli, t.ca()).path("journal").path("lastGtid").asString();
      await("C applies A's last transaction " + lastOfA, () -> count(c) == 151);
      FerryCli.kill9(pa);
      assertThat(FerryCli.terminate(pc, Duration.ofSeconds(90))).isZero();
      // HTTP compares C's newest sealed segment; push the newest C holds records of (its open one, if any).
      long newestOfC = push ? dev.ferry.journal.JournalInspector.list(dir.resolve("c-journal")).stream()
          .filter(i -> i.recordCount() > 0).mapToLong(dev.ferry.journal.SegmentInfo::number).max().orElseThrow()
          : newestSealed(dir.resolve("c-journal"));

      FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", cb.toString());
      assertThat(promoted.exitCode()).as(promoted.all()).isZero();
      Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n") + journal("b-journal", false)
          + (push ? pushToC(t.portB()) : serveB(t.portB())));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      for (int i = 0; newestSealed(dir.resolve("b-journal")) < newestOfC; i++) { // B writes its own segment of that number
        assertThat(System.nanoTime()).as("B seals segment %d", newestOfC).isLessThan(deadline);
        Sql.execute(b, "INSERT INTO items (v) VALUES ('b-" + i + "')");
        Thread.sleep(200);
      }

      Path cc2 = push ? write("c2.yaml", source("primary", a, "") + journal("c-journal", true) + listenForB(t.portB())
          + replica("pg", c)) : repointed(a, c, t.portB());
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
      Trio t = startTrio(pg, other, cli, true); // B keeps every segment C has not fetched from it: all of them
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
      Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n") + journal("b-journal", false)
          + "  serve:\n    http:\n      listen: 127.0.0.1:" + t.portB() + "\n      consumers: [c, a]\n");
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      String from = "http://127.0.0.1:" + t.portB() + "/";
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

      Path ca2 = write("a2.yaml", source("primary", b, "") + journal("a2-journal", true) + from(t.portB(), "a")
          + replica("pg", a));
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

  /** Primary A (serving its journal to B and C over HTTP) and replica nodes B and C, their replicas streaming. */
  private record Trio(String a, String b, String c, int portB, Path ca, Path cb, Process pa, Process pb, Process pc) {}

  /** B's database in a cluster of its own, as after a real failover (slot names are a cluster's). */
  private Trio startTrio(PostgresCluster pg, PostgresCluster other, FerryCli cli, boolean bServesC) throws Exception {
    String a = pg.createDatabase("a");
    String b = other.createDatabase("b");
    String c = pg.createDatabase("c");
    Sql.execute(a, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)");
    int portA = freePort();
    int portB = freePort();
    Path ca = write("a.yaml", source("primary", a, "") + journal("a-journal", false)
        + "  serve:\n    http:\n      listen: 127.0.0.1:" + portA + "\n      consumers: [b, c]\n");
    Path cb = write("b.yaml", source("primary", a, "") + journal("b-journal", true) + from(portA, "b")
        + (bServesC ? serveB(portB) : "") + replica("pg", b));
    Path cc = write("c.yaml", source("primary", a, "") + journal("c-journal", true) + from(portA, "c") + replica("pg", c));
    Process[] runs = NodeConfigs.startPrimaryAndTwoReplicaNodes(cli, dir, ca, cb, cc, a);
    return new Trio(a, b, c, portB, ca, cb, runs[0], runs[1], runs[2]);
  }

  private static final String PUSH = "      secret: continue-e2e-secret-42\n      heartbeat: 200ms\n      timeout: 2s\n"
      + "      retry-max: 1s\n";

  /** B pushes its journal to C, which listens on {@code port}. */
  private static String pushToC(int port) {
    return "  push:\n    - name: c\n      to: 127.0.0.1:" + port + "\n" + PUSH;
  }

  private static String listenForB(int port) {
    return "  from:\n    listen:\n      address: 127.0.0.1:" + port + "\n" + PUSH;
  }

  private static String serveB(int portB) {
    return NodeConfigs.serve(portB, "c");
  }

  /** B after promotion: its own database as source, with a server id of its own, the copy as journal, serving C. */
  private Path continuing(String b, int portB) throws Exception {
    return write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n") + journal("b-journal", false)
        + serveB(portB));
  }

  /** C re-pointed to B. */
  private Path repointed(String a, String c, int portB) throws Exception {
    return write("c2.yaml", source("primary", a, "") + journal("c-journal", true) + from(portB, "c") + replica("pg", c));
  }

  private static long newestSealed(Path journal) throws Exception {
    return DirectoryTransportCrashTest.sealed(journal).stream()
        .mapToLong(p -> dev.ferry.journal.SegmentFiles.sealedNumber(p).orElseThrow()).max().orElse(0);
  }

  private static void insert(String url, String tag, int rows) throws Exception {
    NodeConfigs.insert(url, tag, rows);
  }

  private static long count(String url) throws Exception {
    return NodeConfigs.count(url);
  }

  private static void await(String what, Callable<Boolean> condition) throws Exception {
    NodeConfigs.await(what, condition);
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private static String source(String name, String url, String more) {
    return NodeConfigs.source(name, url, more);
  }

  /** A journal Ferry writes ({@code copy} false) or a copy, whose segments are the primary's. */
  private String journal(String name, boolean copy) {
    return NodeConfigs.journal(dir.resolve(name), copy);
  }

  private static String from(int port, String consumer) {
    return NodeConfigs.from(port, consumer);
  }

  private static String replica(String name, String url) {
    return NodeConfigs.replica(name, url);
  }

  private static int freePort() throws Exception {
    return NodeConfigs.freePort();
  }
}
