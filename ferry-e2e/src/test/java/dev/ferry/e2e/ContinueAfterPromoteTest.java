package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.count;
import static dev.ferry.e2e.NodeConfigs.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The promoted database continues the old primary's journal under load (docs/failover.md, "Capturing on
 * the promoted database"), through real processes: primary A serves its journal over HTTP to replica
 * nodes B and C (B also serves its copy to C). Three clients write small transactions to A (inserts
 * taking ids from a sequence, updates, deletes, each with a {@code ledger} row naming it), and A is
 * killed with SIGKILL in the middle of that load; C's link to A was cut shortly before (C runs on,
 * behind B). {@code ferry promote --capture} promotes B, and B's {@code ferry run}, configured with its
 * own database as source, the copy as journal and no {@code journal.from}, captures new writes into the
 * same journal, after the branch point and under its own server id. C, re-pointed to B, receives the rest
 * of the old history and the new transactions without a re-snapshot and converges to B's rows; a SIGKILL
 * of B's run right after new commits, then a restart, loses and duplicates nothing; B's journal holds
 * only B's own transactions after the branch point (nothing applied from A loops back).
 */
@Timeout(600)
class ContinueAfterPromoteTest {
  private static final String DIGEST = NodeConfigs.DIGEST;
  private static final long SEED = 17_3026L;
  /** What B inserts into {@code items} after its promotion: 50 + 5 + 30 + 20 + 10 rows, one a transaction. */
  private static final int B_INSERTS = 115;
  /** B's transactions after its promotion: its inserts, an UPDATE, a DELETE, an ALTER TABLE and a tag. */
  private static final int B_TRANSACTIONS = B_INSERTS + 4;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void underLoadThePromotedNodeContinuesTheJournalAndASiblingReplicaFollowsItWithoutReseed() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); PostgresCluster other = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      PromoteTrio trio = new PromoteTrio(dir, cli);
      try (LoopbackForwarder linkOfC = new LoopbackForwarder(trio.portA())) {
        cascadeUnderLoad(pg, other, cli, trio, linkOfC);
      }
    }
  }

  private void cascadeUnderLoad(PostgresCluster pg, PostgresCluster other, FerryCli cli, PromoteTrio trio,
      LoopbackForwarder linkOfC) throws Exception {
    // C fetches from A through a forwarder, cut during the load. B serves its copy to C as well (cascading), so
    // that it keeps every segment C has not fetched from it: what lets C re-point to B after the failover.
    PromoteTrio.Nodes t = trio.start(pg, other, true, linkOfC.port(), LedgerLoad.LEDGER);
    String a = t.a();
    String b = t.b();
    String c = t.c();
    insert(a, "a", 200);
    // Two DDL on A: the journal reaches schema sequence 2, above what a fresh _ferry.schema_sequence on B starts at.
    Sql.execute(a, "ALTER TABLE items ADD COLUMN note text", "ALTER TABLE items ADD COLUMN note2 text");
    await("C applies A's first 201 rows", () -> count(c) == 201);

    LedgerLoad load = new LedgerLoad(a, 3, SEED, Duration.ofMillis(20));
    try (load) {
      load.awaitMore(0, 300);
      linkOfC.close(); // C, still running, receives no more: it stays behind B
      // C's copy holds at most what was committed before the cut: the acknowledged and one in flight per client.
      long cut = load.acknowledged() + load.clients();
      await("B applied 100 load transactions more than were committed when C's link was cut (" + cut + ")",
          () -> Long.parseLong(Sql.scalar(b, "SELECT count(*) FROM ledger")) > cut + 100);
      long killedAt = load.awaitMore(load.acknowledged(), 100);
      FerryCli.kill9(t.pa()); // in the middle of the load: A's database takes commits no journal holds
      load.awaitMore(killedAt, 200);
    }
    assertThat(FerryCli.terminate(t.pb(), Duration.ofSeconds(90))).isZero();
    assertThat(FerryCli.terminate(t.pc(), Duration.ofSeconds(90))).isZero();
    JournalDump ofA = JournalDump.withTransactions(cli, dir.resolve("a-journal"), dir);
    JournalDump copyOfB = JournalDump.withTransactions(cli, dir.resolve("b-journal"), dir);
    JournalDump copyOfC = JournalDump.withTransactions(cli, dir.resolve("c-journal"), dir);
    String lastOfA = last(copyOfB).gtid(); // the branch point: the last of A's transactions B received
    long branch = last(copyOfB).seq();
    assertThat(copyOfB.gtidGapsOrRepeats()).as("B's copy").isEmpty();
    assertThat(sameLines(ofA, copyOfB, Long.MAX_VALUE)).as("B's copy is A's journal up to %s (A kept what C lacks)",
        lastOfA).isGreaterThanOrEqualTo(branch - last(copyOfC).seq());
    assertThat(last(ofA).seq()).as("A journaled at least what B received").isGreaterThanOrEqualTo(branch);
    assertThat(last(copyOfC).seq()).as("C's copy is behind B's: C takes the rest of A's history from B")
        .isLessThan(branch);

    FerryCli.Result promoted = cli.run(Duration.ofMinutes(5), "promote", "--capture", "-c", t.cb().toString());
    assertThat(promoted.exitCode()).as(promoted.all()).isZero();
    assertThat(promoted.stdout()).contains("promoted: branch point " + lastOfA).contains("capture prepared on replica pg");
    assertPromotedHoldsWhatItReceived(b, load, copyOfB, branch);

    // B as the source that continues the journal: its own database, the copy, no journal.from.
    Path sameServer = trio.write("b-same-id.yaml", NodeConfigs.source("primary", b, "")
        + trio.journal("b-journal", false) + trio.serveB());
    FerryCli.Result refused = cli.run(Duration.ofMinutes(2), "run", "-c", sameServer.toString());
    assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
    assertThat(refused.stderr()).contains("source.gtid.server-id is 1, the old primary's");
    // 'keep' never fetches: B's journal keeps every segment, for the comparisons at the end.
    Path cb2 = trio.continuing(b, "c, keep");
    Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
    DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
    insert(b, "b", 50);
    Sql.execute(b, "UPDATE items SET v = v || '-updated on b' WHERE id % 7 = 0", "DELETE FROM items WHERE id % 11 = 0");
    Sql.execute(b, "ALTER TABLE items ADD COLUMN extra int NOT NULL DEFAULT 7"); // DDL and a tag on the continued journal
    FerryCli.Result tag = cli.run(Duration.ofMinutes(2), "tag", "after-promotion", "-c", cb2.toString());
    assertThat(tag.exitCode()).as(tag.all()).isZero();
    insert(b, "b-after-ddl", 5);

    List<String> ledgerOfC = Sql.rows(c, "SELECT client, n, xmin FROM ledger ORDER BY client, n");
    assertThat(ledgerOfC).as("C applied load transactions before the re-point").isNotEmpty();
    // C serves its copy to a consumer that never fetches: it keeps every segment it receives from B, for the end.
    Path cc2 = trio.repointed(a, c, NodeConfigs.serve(NodeConfigs.freePort(), "keep"));
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
    assertThat(digests(c)).as("C's tables, digested").isEqualTo(digests(b));
    JournalDump dump = JournalDump.withTransactions(cli, dir.resolve("b-journal"), dir);
    assertThat(dump.gtidGapsOrRepeats()).as("B's journal: consecutive GTIDs, no transaction twice").isEmpty();
    assertNothingLoopsBack(dump, copyOfB, branch);
    assertCarriedToC(cli, ofA, dump, last(copyOfC).seq(), branch);
    assertThat(Files.readString(dir.resolve("c2.log"))).as("C continued, no re-snapshot")
        .doesNotContain("seeding it from a snapshot");
    assertThat(Sql.rows(c, "SELECT client, n, xmin FROM ledger ORDER BY client, n"))
        .as("C's ledger rows from before the re-point are the same row versions: nothing was copied again")
        .containsAll(ledgerOfC);
    assertThatThrownBy(() -> Sql.execute(c, "INSERT INTO items (v) VALUES ('local')"))
        .as("C is still a read-only replica: promote's lifting of B's guards was not replicated")
        .hasMessageContaining("read-only");
    assertThat(FerryCli.terminate(pc2, Duration.ofSeconds(90))).isZero();
    assertThat(FerryCli.terminate(pb3, Duration.ofSeconds(90))).isZero();
  }

  /**
   * B applied every transaction its copy held, and only those: its progress row is one range up to the
   * branch point, its ledger holds the copy's ledger rows, and per load client a prefix of the acknowledged
   * commits (no commit B received is missing), short of every acknowledged commit (the load ran on after the kill).
   */
  private static void assertPromotedHoldsWhatItReceived(String b, LedgerLoad load, JournalDump copyOfB, long branch)
      throws Exception {
    assertThat(Sql.scalar(b, "SELECT applied_gtids FROM _ferry.replication_control")).as("B applied its copy")
        .isEqualTo("0:" + branch);
    long onB = Long.parseLong(Sql.scalar(b, "SELECT count(*) FROM ledger"));
    assertThat(onB).as("B's ledger rows are its copy's").isEqualTo(copyOfB.inserts("public.ledger"));
    assertThat(onB).as("the kill came in the middle of the load").isGreaterThan(300).isLessThan(load.acknowledged());
    for (int k = 0; k < load.clients(); k++) {
      List<String> prefix = Sql.rows(b, "SELECT count(*), coalesce(max(n), 0) FROM ledger WHERE client = " + k);
      long rows = Long.parseLong(prefix.get(0).split("\\|")[0]);
      assertThat(prefix.get(0)).as("client %d's commits on B: 1..n, no hole", k).isEqualTo(rows + "|" + rows);
      assertThat(rows).as("client %d: B holds no commit that was not acknowledged", k)
          .isLessThanOrEqualTo(load.acknowledged(k));
    }
  }

  /**
   * B's journal holds A's history up to the branch point as its copy held it, then only B's own
   * transactions: server id 2, none touching the ledger (every load transaction on A wrote it, B never does),
   * exactly the rows and transactions B's sessions wrote.
   */
  private static void assertNothingLoopsBack(JournalDump journalOfB, JournalDump copyOfB, long branch) {
    assertThat(sameLines(copyOfB, journalOfB, branch)).as("A's history in B's journal is its copy's")
        .isEqualTo(copyOfB.transactions().size());
    List<JournalDump.Tx> own = journalOfB.transactions().stream().filter(tx -> tx.seq() > branch).toList();
    for (JournalDump.Tx tx : own) {
      assertThat(tx.serverId()).as("%s after the branch point: B's server id", tx.gtid()).isEqualTo(2);
      assertThat(tx.tables()).as("%s after the branch point: no load transaction", tx.gtid())
          .doesNotContain("public.ledger");
    }
    assertThat(own).as("B's own transactions, each once").hasSize(B_TRANSACTIONS);
    assertThat(journalOfB.inserts("public.items") - copyOfB.inserts("public.items")).isEqualTo(B_INSERTS);
  }

  /**
   * Every transaction A journaled and B received reached C: C's copy, re-pointed behind B ({@code lastOfC}),
   * holds every transaction after it up to B's last, the same bytes as B's journal, and those up to the branch
   * point the same bytes as A's journal (A kept every segment C had not fetched; C keeps what it got from B).
   */
  private void assertCarriedToC(FerryCli cli, JournalDump ofA, JournalDump journalOfB, long lastOfC, long branch)
      throws Exception {
    JournalDump copyOfC = JournalDump.withTransactions(cli, dir.resolve("c-journal"), dir);
    assertThat(copyOfC.gtidGapsOrRepeats()).as("C's copy").isEmpty();
    assertThat(last(copyOfC).gtid()).isEqualTo(last(journalOfB).gtid());
    long fromB = last(journalOfB).seq() - lastOfC;
    assertThat(sameLines(journalOfB, copyOfC, Long.MAX_VALUE)).as("C's copy is B's journal after %d", lastOfC)
        .isGreaterThanOrEqualTo(fromB);
    assertThat(sameLines(ofA, copyOfC, branch)).as("C's copy holds A's transactions %d..%d", lastOfC + 1, branch)
        .isGreaterThanOrEqualTo(branch - lastOfC);
  }

  /**
   * How many transactions up to {@code upTo} both dumps hold; fails when one at the same GTID differs.
   */
  private static long sameLines(JournalDump one, JournalDump other, long upTo) {
    Map<String, String> lines = new HashMap<>();
    one.transactions().forEach(tx -> lines.put(tx.gtid(), tx.line()));
    long same = 0;
    for (JournalDump.Tx tx : other.transactions()) {
      String line = lines.get(tx.gtid());
      if (tx.seq() <= upTo && line != null) {
        assertThat(tx.line()).as("%s in both journals", tx.gtid()).isEqualTo(line);
        same++;
      }
    }
    return same;
  }

  private static JournalDump.Tx last(JournalDump dump) {
    List<JournalDump.Tx> all = dump.transactions();
    assertThat(all).as("a journal with transactions").isNotEmpty();
    return all.get(all.size() - 1);
  }

  private static Map<String, TableDigest> digests(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, List.of("items", "ledger"));
    }
  }
}
