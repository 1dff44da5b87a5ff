package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry export} and {@code ferry load} say how far they are: a line per table, with totals
 * and rate; while a load runs, {@code ferry status --json} (no node runs, so no server: the
 * command's own status file) shows it with its rows and bytes of the archive's totals.
 */
@Timeout(300)
class ExportLoadProgressTest {
  @TempDir Path dir;

  @Test
  void exportAndLoadReportEachTableWithTotalsAndRate() throws Exception {
    try (PostgresCluster source = PostgresCluster.start()) {
      String url = source.createDatabase("app");
      for (String t : new String[] {"a", "b", "c"}) {
        Sql.execute(url, "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
            "INSERT INTO " + t + " SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
      }
      Path config = FerryYaml.source(url, dir.resolve("journal"))
          .replica("r1", "jdbc:sqlite:" + dir.resolve("replica.db")).writeTo(dir.resolve("ferry.yaml"));
      FerryCli cli = new FerryCli(dir);
      assertThat(cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString()).exitCode()).isZero();

      Path archive = dir.resolve("archive");
      FerryCli.Result export = cli.run(Duration.ofMinutes(2), "export", archive.toString(), "--no-replication-point",
          "-c", config.toString());
      FerryCli.Result load = cli.run(Duration.ofMinutes(2), "load", archive.toString(), "--replica", "r1",
          "-c", config.toString());

      assertThat(export.exitCode()).as(export.all()).isZero();
      assertThat(export.stderr()).contains("exported public.a: 1,000 rows").contains("(3/3 tables, 3,000 rows, ")
          .contains("rows/s)");
      assertThat(load.exitCode()).as(load.all()).isZero();
      assertThat(load.stderr()).contains("loaded public.b: 1,000 rows").contains("(3/3 tables, 3,000 rows, ")
          .contains("rows/s)");
      assertThat(load.stdout()).contains("loaded 3000 rows of 3 tables");
    }
  }

  @Test
  void aLoadInProgressShowsInFerryStatusWithRowsAndBytesOfTheArchivesTotals() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String url = cluster.createDatabase("app");
      String replica = cluster.createDatabase("copy");
      for (String t : new String[] {"a", "b", "c"}) {
        Sql.execute(url, "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)",
            "INSERT INTO " + t + " SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
        Sql.execute(replica, "SET default_transaction_read_only = off",
            "CREATE TABLE " + t + " (id int PRIMARY KEY, v text)");
      }
      // 20 ms a row into b: the load lasts 20 s or more, with a done before it.
      Sql.execute(replica, Sql.slowWrites("b", "0.02"));
      Path config = FerryYaml.source(url, dir.resolve("journal")).replica("r1", replica)
          .writeTo(dir.resolve("ferry.yaml"));
      assertThat(cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString()).exitCode()).isZero();
      Path archive = dir.resolve("archive");
      FerryCli.Result export = cli.run(Duration.ofMinutes(2), "export", archive.toString(), "--no-replication-point",
          "-c", config.toString());
      assertThat(export.exitCode()).as(export.all()).isZero();

      Process load = cli.start(dir.resolve("load.log"), "load", archive.toString(), "--replica", "r1",
          "-c", config.toString());
      JsonNode op = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (op == null) {
        assertThat(load.isAlive()).as("load runs: %s", Files.readString(dir.resolve("load.log"))).isTrue();
        JsonNode ops = Status.of(cli, config).path("operations");
        op = ops.values().stream().filter(o -> o.path("progress").path("tablesDone").asInt(0) >= 1).findFirst()
            .orElse(null);
        assertThat(System.nanoTime()).as("ferry status shows the load with a table done: %s", ops)
            .isLessThan(deadline);
      }
      JsonNode p = op.path("progress");
      assertThat(p.path("operation").asString()).isEqualTo("load");
      assertThat(op.path("subject").asString()).isEqualTo(archive.toAbsolutePath() + " into replica r1");
      assertThat(p.path("tables").asInt()).isEqualTo(3);
      assertThat(p.path("tablesDone").asInt()).isBetween(1, 2);
      assertThat(p.path("rows").asLong()).isIn(1000L, 2000L);
      assertThat(p.path("estimatedRows").asLong()).as("the archive's rows").isEqualTo(3000);
      assertThat(p.path("bytes").path("done").asLong()).isPositive()
          .isLessThan(p.path("bytes").path("total").asLong());
      assertThat(p.path("etaSeconds").isNumber()).as("%s", p).isTrue();
      assertThat(load.waitFor(180, TimeUnit.SECONDS)).isTrue();
      assertThat(load.exitValue()).as(Files.readString(dir.resolve("load.log"))).isZero();
      assertThat(Status.of(cli, config).path("operations").isEmpty()).as("gone once the load ended").isTrue();
    }
  }
}
