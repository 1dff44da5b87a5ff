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

/**
 * A MariaDB replica, through the real {@code bin/ferry}: a PostgreSQL source's bank workload
 * applied by an {@code apply} process killed with SIGKILL three times under load, and a SQLite
 * source's under {@code ferry run}, each replica seeded first into the tables created on it; each
 * ends with the source's table digests (so nothing lost, nothing applied twice: a history row
 * applied twice would be a conflict that stops apply).
 */
@Timeout(400)
class MariaDbReplicaTest {
  private static final int ACCOUNTS = 200;
  private static final long SEED = 16_2026L;

  @TempDir Path dir;

  @Test
  void postgresToMariaDbConvergesWithApplyKilledNineThreeTimesUnderLoad() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (PostgresCluster pg = PostgresCluster.start(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = pg.createDatabase("bank");
      String replica = maria.createDatabase("bank");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS);
      try (Connection c = DriverManager.getConnection(source)) {
        bank.createSchema(c);
      }
      try (Connection c = DriverManager.getConnection(replica)) {
        new BankWorkload(BankWorkload.Dialect.MARIADB, ACCOUNTS).createSchema(c);
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).includeTables("public\\..*").segmentSize("1MiB")
          .replica("maria", replica, "read-write").writeTo(dir.resolve("ferry.yaml"));
      Process capture = cli.start(dir.resolve("capture.log"), "capture", "-c", config.toString());
      awaitSourceStreaming(cli, config, capture);
      Process apply = cli.start(dir.resolve("apply.log"), "apply", "-c", config.toString());
      // A replica without a position is seeded from a snapshot first (here of the empty tables).
      LogWait.awaitLine(dir.resolve("apply.log"), "[replica maria] seeded: ", apply, Duration.ofSeconds(90));
      try (Connection c = DriverManager.getConnection(source)) {
        bank.load(c);
      }
      try (WorkloadRunner workload = WorkloadRunner.start(bank, () -> DriverManager.getConnection(source), 3, SEED)) {
        for (int round = 0; round < 3; round++) {
          workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
          Thread.sleep(300 + random.nextInt(1500));
          FerryCli.kill9(apply);
          apply = cli.start(dir.resolve("apply.log"), "apply", "-c", config.toString());
        }
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(awaitEqual(source, replica, Duration.ofSeconds(180)))
          .as("differences; apply log: %s", log("apply.log")).isEmpty();
      // The status file is written about once a second: wait for one written after the replica caught up.
      Await.until("maria with no error", Duration.ofSeconds(30), () -> Status.of(cli, config),
          status -> Status.replica(status, "maria").path("lastError").isNull());
      assertThat(apply.isAlive()).isTrue();
      assertThat(FerryCli.terminate(apply, Duration.ofSeconds(60))).isZero();
      assertThat(FerryCli.terminate(capture, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void sqliteToMariaDbConverges() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = db.jdbcUrl();
      String replica = maria.createDatabase("bank");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.SQLITE, ACCOUNTS);
      try (Connection c = db.connect()) {
        bank.createSchema(c);
      }
      try (Connection c = DriverManager.getConnection(replica); Statement st = c.createStatement()) {
        new BankWorkload(BankWorkload.Dialect.MARIADB, ACCOUNTS).createSchema(c);
        // A SQLite source's time stamps are the text of its TEXT columns: the replica keeps that text.
        st.execute("ALTER TABLE accounts MODIFY opened_at VARCHAR(64) NOT NULL");
        st.execute("ALTER TABLE history MODIFY at VARCHAR(64) NOT NULL");
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("maria", replica, "read-write")
          .writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      try (Connection c = db.connect()) {
        bank.load(c);
      }
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      // The loaded rows reach the replica by its seed (rows read from one SQLite snapshot), the rest streams.
      LogWait.awaitLine(dir.resolve("run.log"), "[replica maria] seeded: ", run, Duration.ofSeconds(90));
      try (WorkloadRunner workload = WorkloadRunner.start(bank, db::connect, 2, SEED)) {
        workload.awaitCommitted(300, Duration.ofSeconds(90));
        workload.stop();
      }
      assertThat(awaitEqual(source, replica, Duration.ofSeconds(180)))
          .as("differences; run log: %s", log("run.log")).isEmpty();
      assertThat(run.isAlive()).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static void awaitSourceStreaming(FerryCli cli, Path config, Process capture) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!Status.sourceState(Status.of(cli, config)).equals("streaming")) {
      assertThat(capture.isAlive()).as("capture runs").isTrue();
      assertThat(System.nanoTime()).as("capture streams within 90 s").isLessThan(deadline);
      Thread.sleep(200);
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
