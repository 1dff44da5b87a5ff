package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every MariaDB type Ferry captures, through the real {@code bin/ferry}: a seeded random workload
 * ({@link MariaDbTypedRows}: NULLs, each type's extremes, 4-byte UTF-8 and latin1 text, binary,
 * TIME negative and over 24 hours, TIMESTAMP written in five time zones) on a MariaDB source, a
 * PostgreSQL replica declared by the documented mapping (docs/mariadb-capture.md, Types), seeded
 * from a snapshot of the rows written before it (the source idle meanwhile) and streaming the
 * rest, with a second GTID domain and a hole ({@code gtid_seq_no} ahead) mid-stream and
 * {@code ferry run} restarted after them. The replica's digest equals the source's (after the
 * documented mapping), status names the applied GTID as MariaDB does, and {@code ferry journal
 * verify} accepts the journal of MariaDB's GTIDs. The seed is in the test's name: a failure
 * replays with the same rows.
 */
@Timeout(300)
class MariaDbTypesToPostgresTest {
  private static final long SEED = 16_0316L;

  @TempDir Path dir;

  @Test
  void seed160316_everyTypeReachesPostgresExactlyBySnapshotAndByBinlog() throws Exception {
    MariaDbTypedRows rows = new MariaDbTypedRows(SEED);
    try (MariaDbServer maria = MariaDbServer.start(); PostgresCluster pg = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = maria.createDatabase("typed");
      try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
        st.execute(MariaDbTypedRows.MARIADB_TABLE);
        for (int t = 0; t < 60; t++) {
          rows.transaction(c); // before setup: these rows reach the replica by its seed
        }
      }
      String replica = pg.createDatabase("typed");
      try (Connection c = DriverManager.getConnection(replica); Statement st = c.createStatement()) {
        st.execute(MariaDbTypedRows.POSTGRES_TABLE);
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("pg", replica, "read-write")
          .writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      // The source is idle while the replica seeds: capture in the same process proves the hand-over.
      LogWait.awaitLine(dir.resolve("run.log"), "[replica pg] seeded: ", run, Duration.ofSeconds(120));
      try (Connection c = DriverManager.getConnection(source)) {
        for (int t = 0; t < 240; t++) {
          rows.transaction(c);
          if (t == 120) { // a second GTID domain and a hole: the journal keeps MariaDB's GTIDs as they are
            try (Statement st = c.createStatement()) {
              st.execute("SET SESSION gtid_domain_id = 2");
            }
          } else if (t == 180) {
            try (Statement st = c.createStatement()) {
              st.execute("SET SESSION gtid_seq_no = 5000");
            }
          }
        }
      }
      String differs = awaitSameDigest(source, replica, Duration.ofSeconds(120));
      assertThat(differs).as("digests; run log: %s", Files.readString(dir.resolve("run.log"))).isEmpty();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      String binlogPos = Sql.scalar(source, "SELECT @@gtid_binlog_pos");
      assertThat(binlogPos).as("two domains").contains(",").contains("2-" + maria.serverId() + "-5");
      // After a restart capture resumes in both domains; status names the applied GTID with MariaDB's server id.
      run = cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
      try (Connection c = DriverManager.getConnection(source)) {
        rows.transaction(c);
      }
      assertThat(awaitSameDigest(source, replica, Duration.ofSeconds(60))).isEmpty();
      String[] domains = Sql.scalar(source, "SELECT @@gtid_binlog_pos").split(",");
      assertThat(domains[1]).startsWith("2-" + maria.serverId() + "-50");
      String lastGtid = domains[0]; // the write after the restart, in domain 0
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      run = cli.start(dir.resolve("run3.log"), "run", "-c", config.toString());
      LogWait.awaitLine(dir.resolve("run3.log"), "[replica pg] streaming from journal position", run,
          Duration.ofSeconds(60));
      Status.awaitReplicaState(cli, config, "pg", "streaming", Duration.ofSeconds(60));
      // Status is written about once a second: wait for it to show the position the restarted replica read.
      Await.until("status showing pg at " + lastGtid, Duration.ofSeconds(30), () -> Status.of(cli, config),
          status -> Status.replica(status, "pg").path("appliedGtid").asString().equals(lastGtid));
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      FerryCli.Result verify = cli.run(Duration.ofMinutes(1), "journal", "verify", dir.resolve("journal").toString());
      assertThat(verify.exitCode()).as("journal verify: %s", verify.all()).isZero();
      FerryCli.Result dump = cli.run(Duration.ofMinutes(1), "journal", "dump", dir.resolve("journal").toString());
      assertThat(dump.stdout()).contains("2-" + maria.serverId() + "-5000");
    }
  }

  /** Waits until the replica's digest of its typed rows equals the source's; the last difference, else empty. */
  private static String awaitSameDigest(String source, String replica, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String differs = difference(source, replica);
    while (!differs.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      differs = difference(source, replica);
    }
    return differs;
  }

  private static String difference(String source, String replica) throws SQLException {
    try (Connection s = DriverManager.getConnection(source); Connection r = DriverManager.getConnection(replica)) {
      TableDigest expected = TableDigest.of(s, MariaDbTypedRows.MARIADB_QUERY);
      TableDigest actual = TableDigest.of(r, MariaDbTypedRows.POSTGRES_QUERY);
      return expected.rows() == actual.rows() && expected.hash().equals(actual.hash()) ? ""
          : expected + " vs " + actual;
    }
  }
}
