package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The features only some source kinds have are answered by the source, through the real
 * {@code ferry} command: a SQLite source has no table copies ({@code ferry table}) and no export
 * archive ({@code ferry export}); each command says so in one line with what to do instead, and
 * changes nothing. (A PostgreSQL source's retained WAL in status: {@code StatusTruthTest}.)
 */
@Timeout(300)
class SourceFeaturesTest {
  @TempDir Path dir;

  @Test
  void aSqliteSourceRefusesTableCopiesAndExportsNamingWhatToDoInstead() throws Exception {
    Path config = sqliteSource();

    FerryCli.Result add = cli().run(Duration.ofSeconds(120), "table", "add", "main.t", "-c", config.toString());
    assertThat(add.exitCode()).as(add.all()).isEqualTo(1);
    ErrorMessagesTest.assertOneErrorLine(add, "ferry table add:")
        .contains("'ferry table add' copies from a snapshot of a PostgreSQL source; source primary is SQLite")
        .contains("run 'ferry setup' (it adds the table's triggers)");

    Path archive = dir.resolve("archive");
    FerryCli.Result export = cli().run(Duration.ofSeconds(120), "export", archive.toString(), "-c", config.toString());
    assertThat(export.exitCode()).as(export.all()).isEqualTo(1);
    ErrorMessagesTest.assertOneErrorLine(export, "ferry export:")
        .contains("source primary is SQLite: an export archive needs a PostgreSQL source");
    assertThat(archive).doesNotExist();
  }

  private Path sqliteSource() throws Exception {
    Path db = dir.resolve("source.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
    Path config = FerryYaml.source("jdbc:sqlite:" + db, dir.resolve("journal"))
        .replica("r1", "jdbc:sqlite:" + dir.resolve("r1.db")).writeTo(dir.resolve("ferry.yaml"));
    assertThat(Files.exists(config)).isTrue();
    return config;
  }

  private FerryCli cli() {
    return new FerryCli(dir);
  }
}
