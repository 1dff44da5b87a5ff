package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad configurations: each gives one line naming the key or the place, exit code 1 or 2, and
 * leaves the source untouched (no slot, no publication, no _ferry schema).
 */
@Timeout(180)
class ConfigErrorsTest {
  @RegisterExtension static final AppSource source = new AppSource("CREATE TABLE t (id int PRIMARY KEY)");

  @TempDir Path dir;

  private FerryCli.Result run(String yaml) throws Exception {
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, yaml);
    return new FerryCli(dir).run(Duration.ofSeconds(90), "run", "-c", config.toString());
  }

  private String valid(Path journal, String replicaUrl) {
    return FerryYaml.oneReplica(source.url(), journal, replicaUrl);
  }

  @Test
  void anUnknownKeyIsNamedWithItsLine() throws Exception {
    FerryCli.Result r = run(valid(dir.resolve("j"), "jdbc:sqlite:" + dir.resolve("r.db"))
        + "    conflict: skip\n");
    assertThat(r.exitCode()).isEqualTo(2);
    assertOneLine(r).contains("ferry.yaml:9").contains("replicas[0].conflict").contains("unknown key");
    assertSourceUntouched();
  }

  @Test
  void aBadUrlIsNamedByItsKey() throws Exception {
    FerryCli.Result r = run(valid(dir.resolve("j"), "mysql://127.0.0.1/app"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertOneLine(r).contains("replicas[0].url").contains("jdbc:postgresql").contains("jdbc:sqlite");
    assertSourceUntouched();
  }

  @Test
  void anUnreachableDatabaseIsNamedByItsAddress() throws Exception {
    String yaml = valid(dir.resolve("j"), "jdbc:sqlite:" + dir.resolve("r.db"))
        .replace(source.url(), "jdbc:postgresql://127.0.0.1:1/app?user=postgres&connectTimeout=5");
    FerryCli.Result r = run(yaml);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr().lines().filter(l -> l.startsWith("ferry run:")).toList()).hasSize(1);
    assertThat(r.stderr()).contains("127.0.0.1:1");
    assertThat(Files.readString(dir.resolve("j/replication.log"))).as("errors also go to replication.log")
        .contains("ERROR").contains("127.0.0.1:1");
    assertSourceUntouched();
  }

  @Test
  void aJournalDirectoryWhoseParentIsMissingIsNamed() throws Exception {
    FerryCli.Result r = run(valid(dir.resolve("no/such/place/journal"), "jdbc:sqlite:" + dir.resolve("r.db")));
    assertThat(r.exitCode()).isEqualTo(1);
    assertOneLine(r).contains("journal.dir").contains("no/such/place");
    assertSourceUntouched();
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertOneLine(FerryCli.Result r) {
    assertThat(r.stderr().strip().lines().count()).as("one line on stderr: %s", r.all()).isEqualTo(1);
    return assertThat(r.stderr());
  }

  private static void assertSourceUntouched() throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection(source.url()); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM pg_replication_slots)"
          + " + (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry')")) {
        rs.next();
        assertThat(rs.getInt(1)).as("slots + publications + _ferry schemas on the source").isZero();
      }
    }
  }
}
