package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A MariaDB source, through the real {@code bin/ferry}: its binlog captured by {@code ferry run}
 * into a PostgreSQL replica and a SQLite replica, each seeded first from a consistent snapshot,
 * under a bank workload while {@code ferry run} is killed with SIGKILL at random moments three
 * times. Both replicas end with the source's table digests (nothing lost; a history row applied
 * twice would be a conflict that stops apply), and the journal's last GTID is the source's
 * {@code @@gtid_binlog_pos}.
 */
@Timeout(500)
class MariaDbSourceTest {
  private static final int ACCOUNTS = 200;
  private static final long SEED = 16_2027L;

  @TempDir Path dir;

  @Test
  void mariaDbToPostgresAndSqliteConvergeWithRunKilledNineThreeTimesUnderLoad() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (MariaDbServer maria = MariaDbServer.start(); PostgresCluster pg = PostgresCluster.start();
        SqliteDatabase lite = SqliteDatabase.create(); FerryCli cli = new FerryCli(dir)) {
      String source = maria.createDatabase("bank");
      BankWorkload bank = loadedBank(source);
      String pgReplica = pg.createDatabase("bank");
      try (Connection c = DriverManager.getConnection(pgReplica); Statement st = c.createStatement()) {
        new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS).createSchema(c);
        // MariaDB's BOOLEAN is TINYINT(1), captured as an integer (docs/mariadb-capture.md).
        st.execute("ALTER TABLE accounts ALTER COLUMN active TYPE SMALLINT USING active::int");
      }
      try (Connection c = lite.connect()) {
        new BankWorkload(BankWorkload.Dialect.SQLITE, ACCOUNTS).createSchema(c);
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).segmentSize("1MiB")
          .replica("pg", pgReplica, "read-write").replica("lite", lite.jdbcUrl(), "read-write")
          .writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      try (WorkloadRunner workload = WorkloadRunner.start(bank, () -> DriverManager.getConnection(source), 3, SEED)) {
        // Each replica is seeded from a snapshot of the loaded bank, then streams; writes prove the hand-over.
        LogWait.awaitLine(dir.resolve("run.log"), "[replica pg] seeded: ", run, Duration.ofSeconds(120));
        LogWait.awaitLine(dir.resolve("run.log"), "[replica lite] seeded: ", run, Duration.ofSeconds(120));
        for (int round = 0; round < 3; round++) {
          workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
          Thread.sleep(300 + random.nextInt(1500));
          FerryCli.kill9(run);
          run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
          awaitCaptureStarts(round + 2, run); // the next kill lands while the restarted capture streams
        }
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(awaitEqual(source, pgReplica, Duration.ofSeconds(180))).as("PostgreSQL differences; run log: %s",
          log("run.log")).isEmpty();
      assertThat(awaitEqual(source, lite.jdbcUrl(), Duration.ofSeconds(180))).as("SQLite differences; run log: %s",
          log("run.log")).isEmpty();
      // The journal's GTIDs are MariaDB's: its newest is the source's @@gtid_binlog_pos, and each replica applied it.
      String expected = gtidBinlogPos(source);
      JsonNode status = awaitJournalAt(cli, config, expected);
      for (String replica : List.of("pg", "lite")) {
        assertThat(Status.replica(status, replica).path("lastError").isNull()).as("no error: %s", status).isTrue();
        // A replica's applied GTID is the source's newest (MariaDbTypesToPostgresTest checks its server id too).
        assertThat(Status.seq(Status.replica(status, replica).path("appliedGtid"))).isEqualTo(seqOf(expected));
      }
      assertThat(Status.sourceState(status)).isEqualTo("streaming");
      assertThat(run.isAlive()).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      // Four starts of capture, the three after a SIGKILL resuming from the journal's last MariaDB GTID.
      assertThat(captureStarts()).isEqualTo(4);
      assertThat(journalGtidProblems(cli, dir.resolve("journal"))).as("GTIDs in the journal").isEmpty();
    }
  }

  /**
   * A source writing in two GTID domains, domain 2 with a hole (its first transaction at sequence
   * 1000): the seed hands over at the snapshot's GTID position (one last GTID per domain) while
   * clients keep writing in both domains, so the replica's applied set holds both domains and it
   * ends with the source's digests (a history row applied twice would be a conflict that stops
   * apply; one skipped, a digest difference); the journal holds each domain without a gap.
   */
  @Test
  void seedsWhileTwoDomainsWriteOneWithAHole() throws Exception {
    try (MariaDbServer maria = MariaDbServer.start(); SqliteDatabase lite = SqliteDatabase.create();
        FerryCli cli = new FerryCli(dir)) {
      String source = maria.createDatabase("bank");
      BankWorkload bank = loadedBank(source);
      try (Connection c = lite.connect()) {
        new BankWorkload(BankWorkload.Dialect.SQLITE, ACCOUNTS).createSchema(c);
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).segmentSize("1MiB")
          .replica("lite", lite.jdbcUrl(), "read-write").writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
        st.execute("SET SESSION gtid_domain_id = 2");
        st.execute("SET SESSION gtid_seq_no = 1000");
        st.execute("UPDATE branches SET balance = balance - 7 WHERE id = 1");
        st.execute("UPDATE branches SET balance = balance + 7 WHERE id = 1");
      }
      java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
      WorkloadRunner.ConnectionSource twoDomains = () -> {
        Connection c = DriverManager.getConnection(source);
        try (Statement st = c.createStatement()) {
          st.execute("SET SESSION gtid_domain_id = " + (opened.getAndIncrement() % 2 == 0 ? 0 : 2));
        }
        return c;
      };
      Process run;
      try (WorkloadRunner workload = WorkloadRunner.start(bank, twoDomains, 4, SEED)) {
        workload.awaitCommitted(50, Duration.ofSeconds(60));
        run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
        LogWait.awaitLine(dir.resolve("run.log"), "[replica lite] seeded: ", run, Duration.ofSeconds(120));
        workload.awaitCommitted(workload.committed() + 200, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(awaitEqual(source, lite.jdbcUrl(), Duration.ofSeconds(180))).as("SQLite differences; run log: %s",
          log("run.log")).isEmpty();
      String seeded = log("run.log").lines().filter(l -> l.contains("[replica lite] seeded: ")).findFirst()
          .orElseThrow();
      java.util.regex.Matcher applied = java.util.regex.Pattern.compile("applied \\{0:\\d+,2:(\\d+)\\}")
          .matcher(seeded);
      assertThat(applied.find()).as("the hand-over's applied set, in both domains: %s", seeded).isTrue();
      assertThat(Long.parseLong(applied.group(1))).as("domain 2 applied past its hole")
          .isGreaterThanOrEqualTo(1001L);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      Map<Long, List<Long>> seqs = journalSeqsByDomain(cli, dir.resolve("journal"));
      assertThat(seqs.keySet()).containsExactly(0L, 2L);
      assertThat(seqs.get(2L).get(0)).as("domain 2 from its hole on (older segments may be purged)")
          .isGreaterThanOrEqualTo(1000L);
      for (List<Long> domain : seqs.values()) {
        for (int i = 1; i < domain.size(); i++) {
          assertThat(domain.get(i)).as("journal seqs %s", domain).isEqualTo(domain.get(i - 1) + 1);
        }
      }
    }
  }

  /** The journal's sequence numbers per GTID domain (what purging left), in order, from {@code ferry journal dump}. */
  private Map<Long, List<Long>> journalSeqsByDomain(FerryCli cli, Path journal) throws Exception {
    Path out = dir.resolve("dump-domains.jsonl");
    Process p = cli.start(out, "journal", "dump", journal.toString(), "--json");
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("dump: %s", Files.readString(out)).isZero();
    Map<Long, List<Long>> seqs = new java.util.TreeMap<>();
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith("{")) {
        String gtid = tools.jackson.databind.json.JsonMapper.builder().build().readTree(line).path("gtid").asString();
        seqs.computeIfAbsent(Long.parseLong(gtid.substring(0, gtid.indexOf('-'))), d -> new ArrayList<>())
            .add(seqOf(gtid));
      }
    }
    return seqs;
  }

  /** The bank, created and loaded on the MariaDB database {@code source}. */
  private static BankWorkload loadedBank(String source) throws SQLException {
    BankWorkload bank = new BankWorkload(BankWorkload.Dialect.MARIADB, ACCOUNTS);
    try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
      bank.createSchema(c);
      // TIMESTAMP: an instant, journaled in UTC ('…+00'), as the PostgreSQL and SQLite replicas keep it.
      st.execute("ALTER TABLE accounts MODIFY opened_at TIMESTAMP(6) NOT NULL");
      st.execute("ALTER TABLE history MODIFY at TIMESTAMP(6) NOT NULL");
      bank.load(c);
    }
    return bank;
  }

  private void awaitCaptureStarts(int starts, Process run) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (captureStarts() < starts) {
      assertThat(run.isAlive()).as("ferry run: %s", log("run.log")).isTrue();
      assertThat(System.nanoTime()).as("capture start %s", starts).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private long captureStarts() {
    return log("run.log").lines().filter(l -> l.contains("[source primary] binlog capture of")).count();
  }

  /** The journal's GTIDs (what purging left) as {@code ferry journal dump} prints them: one domain, consecutive. */
  private List<String> journalGtidProblems(FerryCli cli, Path journal) throws Exception {
    Path out = dir.resolve("dump.jsonl");
    Process p = cli.start(out, "journal", "dump", journal.toString(), "--json");
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("dump: %s", Files.readString(out)).isZero();
    List<String> problems = new ArrayList<>();
    long last = -1;
    long count = 0;
    for (String line : Files.readAllLines(out)) {
      if (!line.startsWith("{")) {
        continue;
      }
      String gtid = tools.jackson.databind.json.JsonMapper.builder().build().readTree(line).path("gtid").asString();
      long seq = seqOf(gtid);
      if (!gtid.startsWith("0-")) {
        problems.add(gtid + " is not in domain 0");
      }
      if (last >= 0 && seq != last + 1) {
        problems.add(gtid + " after seq " + last);
      }
      last = seq;
      count++;
    }
    assertThat(count).as("journal transactions dumped").isPositive();
    return problems;
  }

  private static JsonNode awaitJournalAt(FerryCli cli, Path config, String gtid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode status = Status.of(cli, config);
    while (!(status.path("journal").path("lastGtid").asString("").equals(gtid)
        && Status.seq(Status.replica(status, "pg").path("appliedGtid")) == seqOf(gtid)
        && Status.seq(Status.replica(status, "lite").path("appliedGtid")) == seqOf(gtid))
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
      status = Status.of(cli, config);
    }
    return status;
  }

  private static long seqOf(String gtid) {
    return Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
  }

  private static String gtidBinlogPos(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT @@gtid_binlog_pos")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Waits until every bank table's digest on the replica equals the source's; the last differences. */
  private static List<String> awaitEqual(String source, String replica, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> differ = differences(source, replica);
    while (!differ.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      differ = differences(source, replica);
    }
    return differ;
  }

  private static List<String> differences(String source, String replica) throws SQLException {
    Map<String, TableDigest> expected;
    Map<String, TableDigest> actual;
    try (Connection s = DriverManager.getConnection(source); Connection r = DriverManager.getConnection(replica)) {
      expected = TableDigest.ofAll(s, BankWorkload.TABLES);
      actual = TableDigest.ofAll(r, BankWorkload.TABLES);
    }
    List<String> differ = new ArrayList<>();
    for (String t : BankWorkload.TABLES) {
      if (!expected.get(t).equals(actual.get(t))) {
        differ.add(t + " " + expected.get(t) + " vs " + actual.get(t));
      }
    }
    return differ;
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (java.io.IOException e) {
      return "(none)";
    }
  }
}
