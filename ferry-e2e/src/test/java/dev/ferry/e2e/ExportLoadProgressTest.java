package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry export} and {@code ferry load} say how far they are: a line per table, with totals and rate. */
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
}
