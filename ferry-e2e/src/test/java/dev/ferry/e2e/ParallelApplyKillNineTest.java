package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Parallel apply through the real {@code bin/ferry run}: a PostgreSQL replica with
 * {@code apply.workers: 4}, commit order kept and relaxed, while the real {@code pgbench} writes (a script of account updates and
 * ledger inserts keyed by UUID, so most transactions are independent); the process is killed with
 * SIGKILL four times at seeded random moments and restarted. After the load stops the replica
 * equals the source, table by table, and its applied GTID set is contiguous (no hole, nothing
 * twice: a ledger row applied twice would be a key conflict that stops the replica). A SQLite
 * replica configured with 4 workers is refused with a message naming {@code apply.workers}.
 */
@Timeout(420)
class ParallelApplyKillNineTest {
  private static final long SEED = 15_2L;
  private static final List<String> TABLES = List.of("pgbench_accounts", "ledger");
  private static final String SCRIPT = """
      \\set aid random(1, 100000)
      \\set delta random(-5000, 5000)
      BEGIN;
      UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
      INSERT INTO ledger (aid, delta) VALUES (:aid, :delta);
      END;
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @ValueSource(strings = {"kept", "relaxed"})
  void fourKillsUnderLoadWithFourWorkersConvergeWithAContiguousGtidSet(String commitOrder) throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster pgReplica = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("bench");
      String replica = pgReplica.createDatabase("bench");
      Pgbench bench = new Pgbench(primary.port(), dir);
      bench.run(Duration.ofMinutes(2), "-i", "-q", "-s", "1", "-I", "dtgvp");
      Sql.execute(source, "CREATE TABLE ledger (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aid int NOT NULL,"
          + " delta int NOT NULL)");
      Path script = Files.writeString(dir.resolve("transfer.sql"), SCRIPT);
      Path config = FerryYaml.source(source, dir.resolve("journal")).includeTables("public\\.(pgbench_accounts|ledger)")
          .replicaWithWorkers("pg", replica, 4, commitOrder).writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "applying with 4 workers, commit order " + commitOrder, run, 0, Duration.ofMinutes(2));

      Process load = bench.start("-n", "-f", script.toString(), "-c", "4", "-j", "2", "-T", "600");
      for (int round = 0; round < 4; round++) {
        Thread.sleep(1500 + random.nextInt(3000));
        assertThat(load.isAlive()).as("pgbench still writes at kill %d", round + 1).isTrue();
        FerryCli.kill9(run);
        long offset = Files.size(log);
        run = cli.start(log, "run", "-c", config.toString());
        LogWait.awaitLine(log, "applying with 4 workers", run, offset, Duration.ofMinutes(2));
      }
      Thread.sleep(2000);
      // The kills take a few seconds; on a loaded machine pgbench may have written little meanwhile: on until 200 rows.
      Await.until("more than 200 ledger rows on the source", Duration.ofMinutes(2),
          () -> Long.parseLong(Sql.scalar(source, "SELECT count(*) FROM ledger")), n -> n > 200);
      bench.stop(load);

      String differ = awaitEqual(source, replica, Duration.ofMinutes(3));
      assertThat(differ).as("differences; log:%n%s", Files.readString(log)).isEmpty();
      String applied = Sql.scalar(replica, "SELECT applied_gtids FROM _ferry.replication_control");
      assertThat(applied).as("the replica's applied GTID set").matches("0:\\d+");
      assertThat(Long.parseLong(Sql.scalar(source, "SELECT count(*) FROM ledger"))).isGreaterThan(200);
      JsonNode pg = Status.replica(Status.awaitReplicaState(cli, config, "pg", "streaming", Duration.ofMinutes(1)), "pg");
      assertThat(pg.path("workers").path("count").asInt()).as("status: %s", pg).isEqualTo(4);
      assertThat(pg.path("workers").path("commitOrder").asString()).as("status: %s", pg).isEqualTo(commitOrder);
      FerryCli.Result text = cli.run(Duration.ofSeconds(60), "status", "-c", config.toString());
      assertThat(text.stdout()).contains("applying with 4 workers, commit order " + commitOrder);
      assertThat(Files.readString(log)).doesNotContain("replica pg] stopped:");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aSqliteReplicaWithFourWorkersIsRefusedNamingTheSetting() throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); SqliteDatabase lite = SqliteDatabase.create();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
      Path config = FerryYaml.source(source, dir.resolve("journal")).replicaWithWorkers("lite", lite.jdbcUrl(), 4, "kept")
          .writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      String line = LogWait.awaitLine(log, "apply.workers is 4", run, 0, Duration.ofMinutes(2));
      assertThat(line).contains("[replica lite]").contains("SQLite target takes one writer at a time")
          .contains("set apply.workers to 1");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static String awaitEqual(String source, String replica, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String differ = differences(source, replica);
    while (!differ.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      differ = differences(source, replica);
    }
    return differ;
  }

  private static String differences(String source, String replica) throws Exception {
    try (Connection s = DriverManager.getConnection(source); Connection r = DriverManager.getConnection(replica)) {
      // Row counts first: while the replica catches up they differ, and digesting every row of both
      // databases each poll would only slow the catch-up waited for.
      Map<String, Long> rows = TableDigest.countAll(s, TABLES);
      Map<String, Long> onReplica = TableDigest.countAll(r, TABLES);
      if (!rows.equals(onReplica)) {
        return "row counts: source " + rows + ", replica " + onReplica + "\n";
      }
      Map<String, TableDigest> want = TableDigest.ofAll(s, TABLES);
      StringBuilder out = new StringBuilder();
      for (String t : TABLES) {
        TableDigest got;
        try {
          got = TableDigest.of(r, t);
        } catch (java.sql.SQLException e) {
          got = new TableDigest(t, -1, "missing: " + e.getMessage());
        }
        if (!want.get(t).equals(got)) {
          out.append(t).append(": ").append(want.get(t)).append(" vs ").append(got).append('\n');
        }
      }
      return out.toString();
    }
  }
}
