package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ferry run} says when it starts again: a normal resume in words (no Java internals),
 * and a publication dropped and created again behind Ferry's back as one message that says what
 * to do (not a loop on "run ferry setup", which cannot help).
 */
@Timeout(600)
class CaptureRestartMessagesTest {
  @TempDir Path dir;
  private PostgresCluster source;
  private String url;
  private Path replica;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    source = PostgresCluster.start();
    url = source.createDatabase("app");
    sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'first')");
    replica = dir.resolve("replica.db");
    config = FerryYaml.source(url, dir.resolve("journal")).replica("r1", "jdbc:sqlite:" + replica)
        .writeTo(dir.resolve("ferry.yaml"));
  }

  @AfterEach
  void stop() throws Exception {
    source.close();
  }

  @Test
  void aNormalResumeLogsPositionsInWords() throws Exception {
    try (FerryCli cli = new FerryCli(dir)) {
      runUntilReplicated(cli, dir.resolve("first.log"), 1);
      String first = Files.readString(dir.resolve("first.log"));
      assertThat(first).as("the new replica's seeding logged").contains("snapshot ").contains("(temporary slot");
      assertThat(first).as("no Java internals in the log").doesNotContain("Optional").doesNotContain("LSN{");
      sql("INSERT INTO t VALUES (2, 'while stopped')");

      Path second = dir.resolve("second.log");
      runUntilReplicated(cli, second, 2);

      String log = Files.readString(second);
      assertThat(log).contains("resuming after").contains("streaming from slot");
      assertThat(log).as("no Java internals in the log").doesNotContain("Optional").doesNotContain("LSN{");
    }
  }

  @Test
  void aPublicationDroppedAndCreatedAgainIsOneActionableMessage() throws Exception {
    try (FerryCli cli = new FerryCli(dir)) {
      runUntilReplicated(cli, dir.resolve("first.log"), 1);
      sql("DROP PUBLICATION ferry_primary", "INSERT INTO t VALUES (2, 'unpublished')",
          "CREATE PUBLICATION ferry_primary FOR TABLE t", "INSERT INTO t VALUES (3, 'published again')");

      FerryCli.Result r = cli.run(Duration.ofMinutes(3), "run", "-c", config.toString());

      assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
      assertThat(r.stderr()).contains("publication 'ferry_primary' was dropped and created again")
          .contains("ferry teardown").doesNotContain("run ferry setup").doesNotContain("\tat ");
      assertThat(ErrorMessagesTest.occurrences(r.stderr(), "was dropped and created again"))
          .as("said once: %s", r.stderr()).isEqualTo(1);
    }
  }

  /** Starts {@code ferry run}, waits until the replica holds {@code rows} rows, and stops it with SIGTERM. */
  private void runUntilReplicated(FerryCli cli, Path log, int rows) throws Exception {
    Process run = cli.start(log, "run", "-c", config.toString());
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (replicaRows() < rows) {
      assertThat(run.isAlive()).as("ferry run died: %s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("replica never got %d rows: %s", rows, Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(250);
    }
    assertThat(FerryCli.terminate(run, Duration.ofMinutes(1))).as(Files.readString(log)).isZero();
  }

  private long replicaRows() {
    if (!Files.exists(replica)) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + replica); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return 0; // not created yet, or busy
    }
  }

  private void sql(String... statements) throws SQLException {
    Sql.execute(url, statements);
  }
}
