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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM during the initial sync of a new replica (docs/cli.md): the admin API, the dashboard
 * (in a headless Chromium) and {@code ferry status} show how far the copy got (rows of the estimate, rate, ETA); {@code ferry run} stops the copy
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
      NodeHttp http = new NodeHttp(NodeHttp.freePort(), Optional.empty());
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("r1", target)
          .http(http.base().substring("http://".length()), Optional.empty()).writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "seeding from source", run, Duration.ofSeconds(90));
      JsonNode progress = seedingProgress(http, run, log);
      assertThat(progress.path("operation").asString()).isEqualTo("initial sync");
      assertThat(progress.path("tables").asInt()).isEqualTo(1);
      assertThat(progress.path("tablesDone").asInt()).isZero();
      assertThat(progress.path("rows").asLong()).isBetween(4096L, ROWS - 1L);
      assertThat(progress.path("estimatedRows").asLong()).isGreaterThanOrEqualTo(progress.path("rows").asLong());
      assertThat(progress.path("rowsPerSecond").asLong()).isPositive();
      String page = Chromium.find(dir).dom(http.base() + "/", Duration.ofSeconds(8));
      assertThat(DashboardBrowserTest.shown(page, "replica", "r1", "state")).as("the dashboard: %s", page)
          .isEqualTo("seeding");
      assertThat(DashboardBrowserTest.shown(page, "replica", "r1", "progress"))
          .matches("0/1 tables, [\\d,]+/[\\d,]+ rows \\(\\d+%\\), [\\d,]+ rows/s, ETA [\\d:?]+");
      FerryCli.Result text = cli.run(Duration.ofSeconds(60), "status", "-c", config.toString());
      assertThat(text.stdout()).as(text.all()).containsPattern("replica  r1: seeding.*\\n\\s+initial sync: 0/1 tables, "
          + "[\\d,]+/[\\d,]+ rows \\(\\d+%\\), [\\d,]+ rows/s, ETA ");
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

  /** The replica's initial sync progress, through the admin API, once it has counted rows. */
  private static JsonNode seedingProgress(NodeHttp http, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      assertThat(run.isAlive()).as("ferry run is running; log: %s", Files.readString(log)).isTrue();
      JsonNode r1;
      try {
        r1 = Status.replica(http.json("/api/status"), "r1");
      } catch (java.net.ConnectException notYet) { // the server starts after the replicas' threads
        assertThat(System.nanoTime()).as("the admin API answers within 90 s").isLessThan(deadline);
        Thread.sleep(300);
        continue;
      }
      assertThat(r1.path("state").asString()).as("%s", r1).isIn("starting", "seeding");
      if (r1.path("progress").path("rows").asLong(0L) > 0) { // no progress yet while the seed starts
        return r1.path("progress");
      }
      assertThat(System.nanoTime()).as("the API shows rows copied within 90 s: %s", r1).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  private static TableDigest digest(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, List.of("big")).get("big");
    }
  }
}
