package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code ferry setup} that fails because of a replica leaves no logical slot holding WAL on the
 * source, and nothing else it would have created: no publication, no ferry schema, no journal.
 */
@Timeout(300)
class SetupLeavesNothingHalfDoneTest {
  @RegisterExtension static final AppSource source = new AppSource(
      "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
      // A role that may connect to the replica database but create nothing in it.
      "CREATE ROLE weak LOGIN");

  @TempDir Path dir;

  @BeforeAll
  static void createReplicaDatabase() throws Exception {
    source.cluster().createDatabase("locked");
  }

  @AfterEach
  void sourceIsAsBefore() throws Exception {
    try (Connection c = DriverManager.getConnection(source.url()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM pg_replication_slots),"
            + " (SELECT count(*) FROM pg_publication), (SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry')")) {
      rs.next();
      assertThat(rs.getInt(1)).as("slots on the source").isZero();
      assertThat(rs.getInt(2)).as("publications on the source").isZero();
      assertThat(rs.getInt(3)).as("ferry schemas on the source").isZero();
    }
    assertThat(dir.resolve("journal")).as("the journal directory").doesNotExist();
  }

  @Test
  void anUnreachableReplicaLeavesNoSlot() throws Exception {
    FerryCli.Result r = setup("jdbc:postgresql://127.0.0.1:1/app?user=postgres&connectTimeout=5");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.stderr()).contains("replica r1").contains("replicas[0].url").doesNotContain("internal error");
  }

  @Test
  void aMissingReplicaDatabaseLeavesNoSlot() throws Exception {
    FerryCli.Result r = setup("jdbc:postgresql://127.0.0.1:" + source.cluster().port() + "/nosuchdb?user=postgres");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.stderr()).contains("replica r1").contains("nosuchdb").doesNotContain("internal error");
  }

  @Test
  void aReplicaWhereFerryCannotCreateItsTablesLeavesNoSlot() throws Exception {
    FerryCli.Result r = setup("jdbc:postgresql://127.0.0.1:" + source.cluster().port() + "/locked?user=weak");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.stderr()).contains("r1").doesNotContain("internal error");
  }

  private FerryCli.Result setup(String replicaUrl) throws Exception {
    Path config = FerryYaml.source(source.url(), dir.resolve("journal")).replica("r1", replicaUrl)
        .writeTo(dir.resolve("ferry.yaml"));
    return new FerryCli(dir).run(Duration.ofMinutes(2), "setup", "-c", config.toString());
  }
}
