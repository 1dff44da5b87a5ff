package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during the initial sync of a new replica (docs/cli.md): {@code ferry run} stops the copy
 * at a safe point and exits 0 promptly, the replica keeps no position, and the next {@code run}
 * copies again and converges.
 */
class InitialSyncStopTest {
  private static final int ROWS = 20_000;

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void sigtermDuringTheInitialCopyExitsCleanlyAndTheNextRunCopiesAgain() throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster replica = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String target = replica.createDatabase("app");
      Sql.execute(source, "CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)",
          "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g");
      // A slow replica: 5 ms per copied row makes the copy last far longer than the test waits.
      Sql.execute(target, "CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)",
          "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$",
          "CREATE TRIGGER slow BEFORE INSERT ON big FOR EACH ROW EXECUTE FUNCTION slow()",
          "ALTER TABLE big ENABLE ALWAYS TRIGGER slow");
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("r1", target)
          .writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "seeding from source", run, Duration.ofSeconds(90));
      Thread.sleep(3000);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(30))).as("exit code; log: %s", Files.readString(log))
          .isZero();
      String first = Files.readString(log);
      assertThat(first).as("the copy did not run to its end").doesNotContain("seeded:");
      assertThat(first).contains("stopped cleanly");

      Sql.execute(target, "DROP TRIGGER slow ON big");
      Sql.execute(source,
          "INSERT INTO big SELECT g, 'after' FROM generate_series(" + (ROWS + 1) + ", " + (ROWS + 100) + ") g");
      run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "seeded:", run, Duration.ofSeconds(90));
      Sql.execute(source, "UPDATE big SET payload = 'streamed' WHERE id <= 10"); // streaming goes on after the seed
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (!digest(source).equals(digest(target))) {
        assertThat(run.isAlive()).as("ferry run is running; log: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("converged within 150 s; log: %s", Files.readString(log))
            .isLessThan(deadline);
        Thread.sleep(500);
      }
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static TableDigest digest(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, List.of("big")).get("big");
    }
  }
}
