package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/ferry run} (PostgreSQL to PostgreSQL and to SQLite, replicas seeded by
 * initial sync) while the real {@code pgbench} writes: the process is killed with SIGKILL three
 * times at seeded random moments and restarted at once; each restart streams again quickly and
 * says in its log what it waited for. After pgbench stops, a multi-statement {@code psql -c}
 * transaction with DML around an {@code ALTER TABLE} runs; both replicas then equal the source,
 * and the journal holds each committed source transaction exactly once.
 */
@Timeout(300)
class PgbenchKillNineTest {
  private static final long SEED = 12_11L;
  private static final Path PG_BIN = Path.of(System.getenv().getOrDefault("FERRY_PG_BIN",
      "/usr/lib/postgresql/15/bin"));
  private static final List<String> TABLES =
      List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history");
  /**
   * How long the first transaction after a restart may take to reach the journal once capture
   * starts. Generous: on two cores shared by many test JVMs, connecting and starting the stream
   * alone take up to 3 s, more under a burst of load. A slot wait with the old reconnect backoff is
   * caught by its log line ({@code assertSlotWaitShortAndNamed}), not by this bound.
   */
  private static final Duration RESTART_BOUND = Duration.ofSeconds(15);
  /**
   * A held slot that capture terminated or waited for must be free again within this: a walsender
   * exiting takes milliseconds, a few seconds on a loaded machine; one left to time out holds the
   * slot for wal_sender_timeout (60 s).
   */
  private static final Duration SLOT_FREE_BOUND = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void threeKillsUnderPgbenchThenMultiStatementDdlConvergeOnBothReplicas() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster pgReplica = PostgresCluster.start();
        SqliteDatabase lite = SqliteDatabase.create(); FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("bench");
      String replica = pgReplica.createDatabase("bench");
      Pgbench bench = new Pgbench(primary.port(), dir);
      bench.run(Duration.ofMinutes(2), "-i", "-q", "-s", "1", "-I", "dtgvp");
      Sql.execute(source, "ALTER TABLE pgbench_history REPLICA IDENTITY FULL");
      Path config = writeConfig(source, replica, lite.jdbcUrl());
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, 0, Duration.ofMinutes(2));

      // Runs until stopped after the third restart: restarts take a while on a loaded machine.
      Process load = bench.start("-n", "-c", "4", "-j", "2", "-T", "600");
      for (int round = 0; round < 3; round++) {
        Thread.sleep(2000 + random.nextInt(3000));
        assertThat(load.isAlive()).as("pgbench still writes at kill %d", round + 1).isTrue();
        FerryCli.kill9(run);
        long logOffset = Files.size(log);
        run = cli.start(log, "run", "-c", config.toString());
        RestartTimes times = restartTimes(log, logOffset, run);
        assertSlotWaitShortAndNamed(LogWait.tail(log, logOffset));
        assertThat(times.firstTransactionAfterResume()).as("first transaction journaled after restart %d; log:%n%s",
            round + 1, LogWait.tail(log, logOffset)).isLessThan(RESTART_BOUND);
      }
      Thread.sleep(2000);
      // The kills take a few seconds; on a loaded machine pgbench may have written little meanwhile: on until 100 rows.
      Await.until("more than 100 pgbench_history rows on the source", Duration.ofMinutes(2),
          () -> Long.parseLong(Sql.scalar(source, "SELECT count(*) FROM pgbench_history")), n -> n > 100);
      bench.stop(load);

      psql(primary.port(), "begin; insert into pgbench_history (tid, bid, aid, delta, mtime) values (1, 1, 1, 7, now()); "
          + "alter table pgbench_tellers add column note text; update pgbench_tellers set note = 'after ' || tid "
          + "where tid <= 3; insert into pgbench_history (tid, bid, aid, delta, mtime) values (2, 1, 2, 8, now()); "
          + "commit;");

      List<String> differ = awaitEqual(source, replica, lite, Duration.ofMinutes(2));
      assertThat(differ).as("differences; log:%n%s", Files.readString(log)).isEmpty();
      assertExactlyOnce(cli, source);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /**
   * No retry with the reconnect backoff, and a slot found held is named with its pid and freed
   * quickly.
   */
  private static void assertSlotWaitShortAndNamed(String log) {
    assertThat(log).as("restart log").doesNotContain("reconnecting in");
    for (String line : log.split("\n")) {
      if (line.contains("free after")) {
        long ms = Long.parseLong(line.replaceAll(".*free after (\\d+) ms.*", "$1"));
        assertThat(Duration.ofMillis(ms)).as("slot wait: %s", line).isLessThan(SLOT_FREE_BOUND);
        assertThat(log).as("the wait is named").containsPattern("replication slot 'ferry_primary' is (still )?held by "
            + "(walsender )?pid \\d+");
      }
    }
  }

  /** Two moments of a restart, from the new process's log lines. */
  private record RestartTimes(Duration firstTransactionAfterResume) {
  }

  /**
   * Waits for the restarted capture's "resuming after" line and then its "first transaction since
   * start" line, and returns the time between them as the log's own clock says.
   */
  private RestartTimes restartTimes(Path log, long from, Process run) throws Exception {
    String resumed = LogWait.awaitLine(log, "resuming after", run, from, Duration.ofMinutes(2));
    String first = LogWait.awaitLine(log, "first transaction since start", run, from, Duration.ofMinutes(2));
    return new RestartTimes(Duration.between(LogTime.of(resumed), LogTime.of(first)));
  }

  private Path writeConfig(String source, String pg, String lite) throws Exception {
    return FerryYaml.source(source, dir.resolve("journal")).includeTables("public\\.pgbench_.*").segmentSize("256MiB")
        .replica("pg", pg).replica("lite", lite).writeTo(dir.resolve("ferry.yaml"));
  }

  /**
   * Every pgbench transaction inserts one history row, and the psql transaction two: so the
   * journal must hold as many history inserts as the source has history rows (none lost, none
   * twice), with consecutive GTIDs and strictly increasing commit positions.
   */
  private void assertExactlyOnce(FerryCli cli, String source) throws Exception {
    JournalDump dump = JournalDump.of(cli, dir.resolve("journal"), dir);
    assertThat(dump.gapsOrRepeats()).as("GTIDs and commit LSNs of the journal").isEmpty();
    // Segments every replica applied are purged; the counts below need the whole journal (one
    // segment: writeConfig's segment size is far above what the run writes).
    assertThat(dump.firstSeq()).as("the journal still holds its first transaction").isEqualTo(1);
    long historyRows;
    try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM pgbench_history")) {
      rs.next();
      historyRows = rs.getLong(1);
    }
    assertThat(historyRows).as("pgbench wrote").isGreaterThan(100);
    assertThat(dump.inserts("public.pgbench_history")).as("history inserts in the journal").isEqualTo(historyRows);
  }

  private static List<String> awaitEqual(String source, String pg, SqliteDatabase lite, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> differ = differences(source, pg, lite);
    while (!differ.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      differ = differences(source, pg, lite);
    }
    return differ;
  }

  private static List<String> differences(String source, String pg, SqliteDatabase lite) throws Exception {
    List<String> differ = new ArrayList<>();
    try (Connection s = DriverManager.getConnection(source); Connection p = DriverManager.getConnection(pg);
        Connection l = lite.connect()) {
      // Row counts first: while the replicas catch up they differ, and digesting 100,000 rows
      // three times a second would only slow the catch-up waited for.
      Map<String, Long> rows = TableDigest.countAll(s, TABLES);
      Map<String, Long> onPgRows = TableDigest.countAll(p, TABLES);
      Map<String, Long> onLiteRows = TableDigest.countAll(l, TABLES);
      if (!rows.equals(onPgRows) || !rows.equals(onLiteRows)) {
        return List.of("row counts: source " + rows + ", pg " + onPgRows + ", lite " + onLiteRows);
      }
      Map<String, TableDigest> want = TableDigest.ofAll(s, TABLES);
      for (String t : TABLES) {
        TableDigest onPg = digestOrMissing(p, t);
        TableDigest onLite = digestOrMissing(l, t);
        if (!want.get(t).equals(onPg)) {
          differ.add("pg:" + t + " " + want.get(t) + " vs " + onPg);
        }
        if (!want.get(t).equals(onLite)) {
          differ.add("lite:" + t + " " + want.get(t) + " vs " + onLite);
        }
      }
    }
    return differ;
  }

  private static TableDigest digestOrMissing(Connection c, String table) {
    try {
      return TableDigest.of(c, table);
    } catch (java.sql.SQLException e) {
      try {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      } catch (java.sql.SQLException ignored) {
        // the digest's own error is the one to report
      }
      return new TableDigest(table, -1, "missing: " + e.getMessage());
    }
  }

  private static void psql(int port, String command) throws Exception {
    Process p = new ProcessBuilder(PG_BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
        "-U", "postgres", "-d", "bench", "-v", "ON_ERROR_STOP=1", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("psql: %s", out).isZero();
  }
}
