package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ferry table add} and {@code ferry setup} refuse while {@code ferry run} streams: a
 * table with no usable replica identity (named, publication unchanged), and a setup beside the
 * running node (refused before it touches the publication, pointing at {@code table add}).
 */
@Timeout(240)
class TableAddRefusalsTest {
  @RegisterExtension static final AppSource source = new AppSource(
      "CREATE TABLE accounts (id int PRIMARY KEY, owner text)");

  @TempDir Path dir;

  @Test
  void refusesATableWithoutKeyAndASetupBesideRunWithoutChangingThePublication() throws Exception {
    try (SqliteDatabase lite = SqliteDatabase.create(); FerryCli cli = new FerryCli(dir)) {
      Path config = FerryYaml.source(source.url(), dir.resolve("journal")).replica("lite", lite.jdbcUrl())
          .writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, Duration.ofSeconds(90));
      Sql.execute(source.url(), "CREATE TABLE keyless (id int, note text)",
          "CREATE TABLE later (id int PRIMARY KEY, note text)");
      List<String> published = published();

      FerryCli.Result add = cli.run(Duration.ofSeconds(60), "table", "add", "public.keyless", "-c", config.toString());
      assertThat(add.exitCode()).as(add.all()).isEqualTo(1);
      assertThat(add.stderr()).contains("\"public\".\"keyless\"").contains("no primary key")
          .doesNotContain("internal error");

      FerryCli.Result setup = cli.run(Duration.ofSeconds(60), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as(setup.all()).isEqualTo(1);
      assertThat(setup.stderr()).contains("in use").contains("ferry table add").doesNotContain("internal error");
      assertThat(published()).as("publication after the refusals").isEqualTo(published)
          .doesNotContain("public|later", "public|keyless");
      assertThat(run.isAlive()).as("ferry run; log: %s", LogWait.tail(log, 0)).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static List<String> published() throws Exception {
    return Sql.rows(source.url(), "SELECT schemaname, tablename FROM pg_publication_tables ORDER BY 1, 2");
  }
}
