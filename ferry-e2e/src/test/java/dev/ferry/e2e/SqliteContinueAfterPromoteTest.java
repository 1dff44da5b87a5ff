package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A promoted SQLite file continues the old primary's journal (docs/failover.md, "Capturing on the
 * promoted database"), through real processes: SQLite primary A serves its journal over HTTP to
 * replica nodes B (which serves its copy to C) and C, each applying to a SQLite file. C is stopped
 * behind, A runs on and is killed with SIGKILL; {@code ferry promote --capture} installs Ferry's
 * triggers and change table on B's file before it becomes writable, and B's {@code ferry run},
 * configured with that file as source, the copy as journal and no {@code journal.from}, captures new
 * writes into the same journal: the first new GTID right after the branch point, under B's own
 * server id, none of A's rows captured again. C, re-pointed to B, receives the rest of A's history
 * and B's transactions without a re-snapshot; a SIGKILL of B's run right after writes, then a
 * restart, loses and repeats nothing.
 */
@Timeout(300)
class SqliteContinueAfterPromoteTest {
  private static final String DIGEST = "SELECT count(*) || ':' || coalesce(group_concat(id || '=' || v, ','), '')"
      + " FROM (SELECT id, v FROM items ORDER BY id)";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void thePromotedSqliteFileContinuesTheJournalAndASiblingFollowsItWithoutReseed() throws Exception {
    try (SqliteDatabase la = SqliteDatabase.create(); SqliteDatabase lb = SqliteDatabase.create();
        SqliteDatabase lc = SqliteDatabase.create(); FerryCli cli = new FerryCli(dir)) {
      String a = la.jdbcUrl();
      String b = lb.jdbcUrl();
      String c = lc.jdbcUrl();
      for (String url : new String[] {a, b, c}) {
        Sql.execute(url, "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)");
      }
      int portA = NodeConfigs.freePort();
      int portB = NodeConfigs.freePort();
      Path ca = write("a.yaml", NodeConfigs.source("primary", a, "") + journal("a-journal", false)
          + NodeConfigs.serve(portA, "b, c"));
      Path cb = write("b.yaml", NodeConfigs.source("primary", a, "") + journal("b-journal", true)
          + NodeConfigs.from(portA, "b") + NodeConfigs.serve(portB, "c") + NodeConfigs.replica("lite", b));
      Path cc = write("c.yaml", NodeConfigs.source("primary", a, "") + journal("c-journal", true)
          + NodeConfigs.from(portA, "c") + NodeConfigs.replica("lite", c));
      Process[] runs = NodeConfigs.startPrimaryAndTwoReplicaNodes(cli, dir, ca, cb, cc, a);
      Process pa = runs[0];
      Process pb = runs[1];
      Process pc = runs[2];
      NodeConfigs.insert(a, "a", 60);
      NodeConfigs.await("C applies A's first 61 rows", () -> NodeConfigs.count(c) == 61);
      assertThat(FerryCli.terminate(pc, Duration.ofSeconds(90))).isZero(); // C stays behind B
      NodeConfigs.insert(a, "a-late", 40);
      String lastOfA = Status.of(cli, ca).path("journal").path("lastGtid").asString();
      NodeConfigs.await("B's copy holds A's last transaction " + lastOfA,
          () -> Status.of(cli, cb).path("journal").path("lastGtid").asString().equals(lastOfA));
      NodeConfigs.await("B applies A's 101 rows", () -> NodeConfigs.count(b) == 101);
      FerryCli.kill9(pa);
      assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();

      FerryCli.Result promoted = cli.run(Duration.ofMinutes(3), "promote", "--capture", "-c", cb.toString());
      assertThat(promoted.exitCode()).as(promoted.all()).isZero();
      assertThat(promoted.stdout()).contains("promoted: branch point " + lastOfA).contains("capture prepared on replica lite");
      assertThat(Sql.scalar(b, "SELECT count(*) FROM _ferry_tables WHERE tbl = 'items'"))
          .as("promote installed capture on B's file").isEqualTo("1");
      long branch = Long.parseLong(lastOfA.substring(lastOfA.lastIndexOf('-') + 1));

      Path sameServer = write("b-same-id.yaml", NodeConfigs.source("primary", b, "") + journal("b-journal", false)
          + NodeConfigs.serve(portB, "c"));
      FerryCli.Result refused = cli.run(Duration.ofMinutes(2), "run", "-c", sameServer.toString());
      assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
      assertThat(refused.stderr()).contains("source.gtid.server-id is 1, the old primary's");

      Sql.execute(b, "INSERT INTO items (v) VALUES ('b-before-run')"); // writable at once, captured by the triggers
      Path cb2 = write("b2.yaml", NodeConfigs.source("primary", b, "  gtid:\n    server-id: 2\n")
          + journal("b-journal", false) + NodeConfigs.serve(portB, "c"));
      Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
      NodeConfigs.insert(b, "b", 30);
      Sql.execute(b, "UPDATE items SET v = v || '-updated on b' WHERE id % 7 = 0", "DELETE FROM items WHERE id % 11 = 0");
      // B keeps every segment C has not fetched: its copy since C stopped, and everything B captured.
      NodeConfigs.await("B journals its 31 inserts", () -> inserts(dump(cli), branch) >= 31);
      List<JsonNode> first = dump(cli);
      assertThat(inserts(first, branch)).as("B's own inserts, once each; none of A's captured again").isEqualTo(31);
      assertThat(first).extracting(tx -> tx.path("gtid").asString()).as("the first new GTID: right after the branch"
          + " point, B's server id").contains(lastOfA, "0-2-" + (branch + 1)).doesNotContain("0-1-" + (branch + 1));
      assertConsecutive(first, branch);
      assertThat(first).flatExtracting(tx -> tx.path("changes").values()).extracting(ch -> ch.path("op").asString())
          .as("promote's lifting of B's read-only mode is not journaled").doesNotContain("ddl");

      Path cc2 = write("c2.yaml", NodeConfigs.source("primary", a, "") + journal("c-journal", true)
          + NodeConfigs.from(portB, "c") + NodeConfigs.replica("lite", c));
      Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c", cc2.toString());
      NodeConfigs.await("C converges to B's rows", () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      JsonNode onC = Status.replica(Status.of(cli, cc2), "lite");
      assertThat(onC.path("appliedGtid").asString()).as("B's transactions carry its server id").startsWith("0-2-");
      assertThat(Status.seq(onC.path("appliedGtid"))).isGreaterThan(branch);
      assertThat(FerryCli.terminate(pc2, Duration.ofSeconds(90))).isZero(); // B keeps what follows for C
      String before = first.getLast().path("gtid").asString();
      long beforeSeq = Long.parseLong(before.substring(before.lastIndexOf('-') + 1));

      // SIGKILL of B's run right after new commits; the restart captures them once.
      NodeConfigs.insert(b, "b-before-kill", 20);
      FerryCli.kill9(pb2);
      NodeConfigs.insert(b, "b-while-down", 10);
      Process pb3 = cli.start(dir.resolve("b3.log"), "run", "-c", cb2.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb3);
      NodeConfigs.insert(b, "b-after-restart", 10);
      NodeConfigs.await("B journals the 40 inserts around its kill", () -> inserts(dump(cli), beforeSeq) >= 40);
      List<JsonNode> after = dump(cli);
      assertThat(inserts(after, beforeSeq)).as("the inserts around the kill, once each").isEqualTo(40);
      assertConsecutive(after, branch);

      Process pc3 = cli.start(dir.resolve("c3.log"), "run", "-c", cc2.toString());
      NodeConfigs.await("C converges to B's rows after B's restart",
          () -> Sql.scalar(c, DIGEST).equals(Sql.scalar(b, DIGEST)));
      assertThat(Files.readString(dir.resolve("c2.log")) + Files.readString(dir.resolve("c3.log")))
          .as("C continued, no re-snapshot").doesNotContain("seeding it from a snapshot");
      assertThatThrownBy(() -> Sql.execute(c, "INSERT INTO items (v) VALUES ('local')"))
          .as("C is still a read-only replica").hasMessageContaining("read-only");
      assertThat(FerryCli.terminate(pc3, Duration.ofSeconds(90))).isZero();
      assertThat(FerryCli.terminate(pb3, Duration.ofSeconds(90))).isZero();
    }
  }

  /** The inserts of the transactions after sequence number {@code seq}. */
  private static long inserts(List<JsonNode> journal, long seq) {
    return journal.stream().filter(tx -> seqOf(tx) > seq).flatMap(tx -> tx.path("changes").valueStream())
        .filter(change -> change.path("op").asString().equals("insert")).count();
  }

  /** Consecutive sequence numbers, none twice; A's server id up to the branch point, B's after it. */
  private static void assertConsecutive(List<JsonNode> journal, long branch) {
    List<String> gaps = new ArrayList<>();
    long lastSeq = -1;
    for (JsonNode tx : journal) {
      long seq = seqOf(tx);
      if (lastSeq >= 0 && seq != lastSeq + 1) {
        gaps.add(tx.path("gtid").asString() + " after seq " + lastSeq);
      }
      lastSeq = seq;
      assertThat(tx.path("gtid").asString()).as("A's history up to the branch point, B's after it")
          .startsWith(seq <= branch ? "0-1-" : "0-2-");
    }
    assertThat(gaps).as("B's journal: consecutive GTIDs, no transaction twice").isEmpty();
  }

  private static long seqOf(JsonNode tx) {
    String gtid = tx.path("gtid").asString();
    return Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
  }

  /** B's journal as {@code ferry journal dump --json} prints it, oldest first. */
  private List<JsonNode> dump(FerryCli cli) throws Exception {
    return dump(cli, dir.resolve("b-journal"));
  }

  /** The journal's transactions as {@code ferry journal dump --json} prints them, oldest first. */
  private List<JsonNode> dump(FerryCli cli, Path journal) throws Exception {
    FerryCli.Result r = cli.run(Duration.ofMinutes(2), "journal", "dump", journal.toString(), "--json");
    assertThat(r.exitCode()).as(r.all()).isZero();
    List<JsonNode> txs = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (line.startsWith("{")) {
        txs.add(JSON.readTree(line));
      }
    }
    return txs;
  }

  private String journal(String name, boolean copy) {
    return NodeConfigs.journal(dir.resolve(name), copy);
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }
}
