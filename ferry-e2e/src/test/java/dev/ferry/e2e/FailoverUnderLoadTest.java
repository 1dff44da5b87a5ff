package dev.ferry.e2e;

import static dev.ferry.e2e.NodeConfigs.await;
import static dev.ferry.e2e.NodeConfigs.freePort;
import static dev.ferry.e2e.NodeConfigs.from;
import static dev.ferry.e2e.NodeConfigs.journal;
import static dev.ferry.e2e.NodeConfigs.replica;
import static dev.ferry.e2e.NodeConfigs.serve;
import static dev.ferry.e2e.NodeConfigs.source;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry failover} under a write load, through real {@code bin/ferry run} processes (issue 17's
 * first acceptance point). Primary A (PostgreSQL, a cluster of its own) pushes its journal to replica
 * node B synchronously ({@code sync: receive}; capture's walsender in A's
 * {@code synchronous_standby_names}, so a client's COMMIT returns only once B's copy holds it) and
 * serves it over HTTP to replica nodes C and D. C applies with 4 workers, commit order relaxed; D
 * was stopped before the load, far behind. Client threads write small transactions (items with a
 * sequence, transfers without one), recording every id whose COMMIT returned. A row lock on C's
 * database holds one transaction of C back while the independent ones after it commit: C is killed
 * with SIGKILL with holes in its applied set. Then A's {@code ferry run} is killed with SIGKILL
 * mid-load; the commits waiting for it never return (their connections are ended).
 * {@code ferry failover --capture} picks B; C and D re-pointed as printed converge to B's tables;
 * every acknowledged id is in B's database once; the journals' GTIDs follow one another; ids B's
 * sequence hands out after the promotion are above every id A handed out.
 */
@Timeout(600)
class FailoverUnderLoadTest {
  private static final String SECRET = "e2e-failover-load-5e1f";
  private static final List<String> TABLES = List.of("items", "accounts", "ledger", "marks");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void failoverPromotesTheSynchronousNodeAndLosesNoAcknowledgedCommit() throws Exception {
    long started = System.nanoTime();
    try (PostgresCluster pgA = PostgresCluster.start(); PostgresCluster pgR = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String a = pgA.createDatabase("a");
      String b = pgR.createDatabase("b");
      String c = pgR.createDatabase("c");
      String d = pgR.createDatabase("d");
      AckedLoad.createTables(a);
      int portA = freePort();
      int portB = freePort();
      int pushB = freePort();
      // Segments of 4 s: C receives (over HTTP, sealed segments only) a transaction with many after it at once.
      Path ca = write("a.yaml", source("primary", a, "") + "journal:\n  dir: " + dir.resolve("a-journal")
          + "\n  segment-size: 1MiB\n  segment-age: 4s\n"
          + serve(portA, "c, d") + "  push:\n    - name: b\n      to: 127.0.0.1:" + pushB + "\n      secret: " + SECRET
          + "\n      sync: receive\n      sync-timeout: 120s\n      heartbeat: 200ms\n      timeout: 10s\n"
          + "      retry-max: 500ms\n");
      Path cb = write("b.yaml", source("primary", a, "") + journal(dir.resolve("b-journal"), true)
          + "  from:\n    listen:\n      address: 127.0.0.1:" + pushB + "\n      secret: " + SECRET
          + "\n      heartbeat: 200ms\n      timeout: 10s\n      retry-max: 500ms\n" + serve(portB, "c, d")
          + replica("pg", b));
      Path cc = write("c.yaml", source("primary", a, "") + journal(dir.resolve("c-journal"), true) + from(portA, "c")
          + "replicas:\n  - name: pg\n    url: " + c + "\n    apply: { workers: 4, commit-order: relaxed }\n");
      Path cd = write("d.yaml", source("primary", a, "") + journal(dir.resolve("d-journal"), true) + from(portA, "d")
          + replica("pg", d));
      Process pa = cli.start(dir.resolve("a.log"), "run", "-c", ca.toString());
      DirectoryTransportCrashTest.awaitSourceStreaming(cli, ca, pa);
      Sql.execute(a, "INSERT INTO items (v) VALUES ('first')"); // the journal holds a transaction to copy
      Process pb = cli.start(dir.resolve("b.log"), "run", "-c", cb.toString());
      Process pc = cli.start(dir.resolve("c.log"), "run", "-c", cc.toString());
      Process pd = cli.start(dir.resolve("d.log"), "run", "-c", cd.toString());
      for (Object[] node : new Object[][] {{cb, pb}, {cc, pc}, {cd, pd}}) {
        DirectoryTransportCrashTest.awaitReplicasStreaming(cli, (Path) node[0], (Process) node[1]);
      }
      Sql.execute(a, "INSERT INTO items (v) VALUES ('before-1'), ('before-2')");
      await("D applies the first rows", () -> NodeConfigs.count(d) == 3);
      assertThat(FerryCli.terminate(pd, Duration.ofSeconds(90))).as("D stops, far behind").isZero();
      makeCaptureSynchronous(cli, ca, a);

      try (AckedLoad load = AckedLoad.start(a, 2, 3)) {
        await("B applies some of the load", () -> NodeConfigs.count(b) > 40);
        String cHoles = killWithHoles(a, c, pc, load);
        assertThat(hasHoles(cHoles)).as("C's applied set after its SIGKILL: %s", cHoles).isTrue();
        long afterC = load.ackedItems.size();
        await("the load goes on after C is killed", () -> load.ackedItems.size() > afterC + 30);
        assertThat(load.errors).as("client errors before the primary is killed").isEmpty();
        FerryCli.kill9(pa);
        Thread.sleep(2000); // commits in flight wait for the synchronous walsender, which is gone
        load.stop(a);
        assertThat(load.errors).as("client errors other than the ended connections").isEmpty();
        assertThat(Files.readString(dir.resolve("a.log"))).as("B was never excluded: every COMMIT waited for it")
            .doesNotContain("synchronous replica node excluded");
        long handedOut = Math.max(Long.parseLong(Sql.scalar(a, "SELECT last_value FROM items_id_seq")),
            Long.parseLong(Sql.scalar(a, "SELECT coalesce(max(id), 0) FROM items")));
        assertThat(FerryCli.terminate(pb, Duration.ofSeconds(90))).isZero();

        FerryCli.Result done = cli.run(Duration.ofMinutes(5), "failover", "--capture", "-c", cc.toString(), "-c",
            cd.toString(), "-c", cb.toString());
        assertThat(done.exitCode()).as(done.all()).isZero();
        assertThat(done.stdout()).contains("promote " + cb + ": its history contains every other node's",
            cc + ": history", "applied {pg=" + cHoles + "}", "capture prepared on replica pg")
            .containsPattern(Pattern.quote(cc.toString()) + ": lacks \\[0-1-\\d+\\.\\.0-1-\\d+\\] \\(\\d+ transactions\\); can follow")
            .containsPattern(Pattern.quote(cd.toString()) + ": lacks \\[0-1-\\d+\\.\\.0-1-\\d+\\] \\(\\d+ transactions\\); can follow");

        Path cb2 = write("b2.yaml", source("primary", b, "  gtid:\n    server-id: 2\n")
            + journal(dir.resolve("b-journal"), false) + serve(portB, "c, d"));
        Process pb2 = cli.start(dir.resolve("b2.log"), "run", "-c", cb2.toString());
        DirectoryTransportCrashTest.awaitSourceStreaming(cli, cb2, pb2);
        assertThat(ids(b)).as("every id whose COMMIT returned on A is on B").containsAll(load.ackedItems);
        assertThat(Sql.rows(b, "SELECT id::text FROM ledger")).as("every acknowledged transfer is on B")
            .containsAll(load.ackedLedger);
        Set<Long> before = ids(b);
        Sql.execute(b, "INSERT INTO items (v) SELECT 'b-' || g FROM generate_series(1, 10) g");
        Set<Long> fresh = ids(b);
        fresh.removeAll(before);
        assertThat(fresh).as("ids B hands out after promotion, above every id A handed out (%d)", handedOut)
            .hasSize(10).allMatch(id -> id > handedOut);
        Process pc2 = cli.start(dir.resolve("c2.log"), "run", "-c",
            NodeConfigs.repointAsPrinted(dir, done.stdout(), cc, "c").toString());
        Process pd2 = cli.start(dir.resolve("d2.log"), "run", "-c",
            NodeConfigs.repointAsPrinted(dir, done.stdout(), cd, "d").toString());
        await("C converges to B's tables", () -> digests(c).equals(digests(b)));
        await("D converges to B's tables", () -> digests(d).equals(digests(b)));
        for (String url : List.of(b, c, d)) {
          assertThat(Sql.scalar(url, "SELECT count(*) = count(DISTINCT v) FROM items")).as("no item twice on %s", url)
              .isEqualTo("t");
        }
        for (String copy : List.of("c", "d")) {
          assertThat(Files.readString(dir.resolve(copy + "2.log"))).as("%s continued, no re-snapshot", copy)
              .doesNotContain("seeding it from a snapshot");
        }
        for (Process p : new Process[] {pc2, pd2, pb2}) {
          assertThat(FerryCli.terminate(p, Duration.ofSeconds(90))).isZero();
        }
        Path dumpA = Files.createDirectories(dir.resolve("dump-a-journal"));
        assertThat(JournalDump.of(cli, dir.resolve("a-journal"), dumpA).gapsOrRepeats())
            .as("A's journal: consecutive GTIDs, source positions increasing").isEmpty();
        for (String j : List.of("b-journal", "c-journal", "d-journal")) { // A's positions, then B's database's
          Path out = Files.createDirectories(dir.resolve("dump-" + j));
          assertThat(JournalDump.of(cli, dir.resolve(j), out).gtidGapsOrRepeats()).as("GTIDs of %s", j).isEmpty();
        }
        System.out.printf("FailoverUnderLoadTest: %d items and %d transfers acknowledged (A's database holds %s and %s),"
            + " C's holes %s, %d s%n", load.ackedItems.size(), load.ackedLedger.size(),
            Sql.scalar(a, "SELECT count(*) FROM items"), Sql.scalar(a, "SELECT count(*) FROM ledger"), cHoles,
            (System.nanoTime() - started) / 1_000_000_000L);
      }
    }
  }

  /** Lists capture's walsender in A's synchronous_standby_names and waits until it is the synchronous one and B is included. */
  private static void makeCaptureSynchronous(FerryCli cli, Path ca, String a) throws Exception {
    String app = "ferry-primary@" + Status.of(cli, ca).path("journal").path("id").asString().substring(0, 8);
    Sql.execute(a, "ALTER SYSTEM SET synchronous_standby_names = '\"" + app + "\"'", "SELECT pg_reload_conf()");
    await("capture's walsender is synchronous", () -> "sync".equals(Sql.scalar(a,
        "SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + app + "'")));
    await("the push link to B streams, no error", () -> {
      Sql.execute(a, "INSERT INTO items (v) VALUES ('sync-check-' || clock_timestamp())");
      var link = Status.of(cli, ca).path("links").get(0);
      return link.path("lastError").isNull() && link.path("state").asString().equals("streaming");
    });
  }

  /**
   * Holds one transaction back on C (a row lock on C's database on the one row it updates) while the
   * 150 transactions after it share no row with it nor with one another ({@link AckedLoad#independentOnly}:
   * no sequence change, a barrier of parallel apply, and no account row, which a unit of consecutive
   * transactions would share with the held one's unit); waits until later units committed, kills C with
   * SIGKILL and returns its applied set, which has holes. A held transaction among the last of a segment
   * (its unit handed out only once the copy ran dry, with nothing after it) leaves none: then the lock is
   * released and it is tried again.
   */
  private static String killWithHoles(String a, String c, Process pc, AckedLoad load) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try (Connection lock = lockMark(c)) {
        load.independentOnly();
        Sql.execute(a, "UPDATE marks SET v = v + 1 WHERE id = 1");
        long after = load.ledgerCommits();
        await("150 independent transactions after the held one", () -> load.ledgerCommits() > after + 150);
        load.dependentAgain();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!hasHoles(applied(c)) && System.nanoTime() < deadline) {
          Thread.sleep(300);
        }
        if (hasHoles(applied(c))) {
          System.out.printf("FailoverUnderLoadTest: holes in C's applied set at attempt %d%n", attempt);
          FerryCli.kill9(pc);
          Thread.sleep(1000); // a COMMIT C sent just before its death has reached its database by now
          String holes = applied(c);
          lock.rollback();
          return holes;
        }
        assertThat(attempt).as("attempts to leave holes in C's applied set; last: %s", applied(c)).isLessThan(4);
        lock.rollback();
      }
    }
  }

  /** A transaction on C's database holding marks row 1: the one load transaction that updates it waits on C. */
  private static Connection lockMark(String url) throws Exception {
    return Sql.openTransaction(url, "SET TRANSACTION READ WRITE", "SELECT v FROM marks WHERE id = 1 FOR UPDATE");
  }

  private static String applied(String url) throws Exception {
    return Sql.scalar(url, "SELECT applied_gtids FROM _ferry.replication_control");
  }

  /** An applied set such as {@code 0:100:150-200}: a low-water mark and GTIDs applied above it. */
  private static boolean hasHoles(String applied) {
    return applied != null && applied.matches("\\d+:\\d+:.+");
  }

  private static Set<Long> ids(String url) throws Exception {
    Set<Long> ids = new HashSet<>();
    for (String id : Sql.rows(url, "SELECT id FROM items")) {
      ids.add(Long.parseLong(id));
    }
    return ids;
  }

  private static Map<String, TableDigest> digests(String url) throws Exception {
    try (Connection conn = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(conn, TABLES);
    }
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }
}
