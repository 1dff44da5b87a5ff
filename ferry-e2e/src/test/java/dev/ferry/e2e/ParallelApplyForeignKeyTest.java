package dev.ferry.e2e;

import static dev.ferry.e2e.Sql.execute;
import static dev.ferry.e2e.Sql.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parallel apply through the real {@code bin/ferry run} onto a PostgreSQL replica whose apply role
 * may not set {@code session_replication_role}, so the replica checks its foreign keys: the source
 * commits 600 parents and, each in a transaction of its own 7 transactions later, a child of each,
 * with {@code apply.workers: 4}. Every child waits for its parent's transaction: nothing is refused,
 * the replica ends with every row and a contiguous applied set.
 */
@Timeout(420)
class ParallelApplyForeignKeyTest {
  private static final int PARENTS = 600;
  private static final int LAG = 7;

  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @ValueSource(strings = {"kept", "relaxed"})
  void childrenArriveAfterTheirParentsOnAReplicaThatChecksForeignKeys(String commitOrder) throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster pgReplica = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String replica = pgReplica.createDatabase("app");
      for (String url : new String[] {source, replica}) {
        execute(url, "CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL)",
            "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id))");
      }
      execute(replica, "CREATE ROLE ferry LOGIN", "GRANT CREATE ON DATABASE app TO ferry",
          "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER ON ALL TABLES IN SCHEMA public TO ferry");
      Path config = FerryYaml.source(source, dir.resolve("journal")).includeTables("public\\.(parent|child)")
          .replicaWithWorkers("pg", replica.replace("user=postgres", "user=ferry"), 4, commitOrder)
          .writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(3), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "applying with 4 workers, commit order " + commitOrder, run, 0, Duration.ofMinutes(2));

      try (Connection c = DriverManager.getConnection(source);
          PreparedStatement parent = c.prepareStatement("INSERT INTO parent VALUES (?, ?)");
          PreparedStatement child = c.prepareStatement("INSERT INTO child VALUES (?, ?)")) {
        for (int p = 1; p <= PARENTS + LAG; p++) {
          if (p <= PARENTS) {
            parent.setLong(1, p);
            parent.setString(2, "parent " + p);
            parent.executeUpdate();
          }
          if (p > LAG) {
            child.setLong(1, p - LAG);
            child.setLong(2, p - LAG);
            child.executeUpdate();
          }
        }
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!String.valueOf(PARENTS).equals(scalar(replica, "SELECT count(*) FROM child"))) {
        assertThat(run.isAlive()).as("ferry run is running; log:%n%s", Files.readString(log)).isTrue();
        assertThat(Files.readString(log)).as("the replica stopped").doesNotContain("replica pg] stopped");
        assertThat(System.nanoTime()).as("children on the replica; log:%n%s", Files.readString(log))
            .isLessThan(deadline);
        Thread.sleep(500);
      }
      String runLog = Files.readString(log);
      assertThat(runLog).as("FK checks are on for this role")
          .contains("role 'ferry' may not SET session_replication_role").doesNotContain("23503");
      assertThat(scalar(replica, "SELECT count(*) FROM parent")).isEqualTo(String.valueOf(PARENTS));
      assertThat(scalar(replica, "SELECT applied_gtids FROM _ferry.replication_control")).matches("0:\\d+");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }
}
