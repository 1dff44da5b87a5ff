package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases are told apart by what they are, not by the URL that reached them; and the initial
 * copy refuses, before its first statement on the target, a target that is its own source.
 */
@Timeout(300)
class SourceAsTargetTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  private static String url;

  @TempDir Path dir;

  @BeforeAll
  static void sourceWithATable() throws Exception {
    url = postgres.cluster().createDatabase("app");
    postgres.cluster().createDatabase("other");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
      st.execute("INSERT INTO accounts SELECT g, 10 FROM generate_series(1, 100) g");
    }
  }

  @Test
  void aPostgresDatabaseIsTheSameThroughAnyHostNameAndSpelling() throws Exception {
    int port = postgres.cluster().port();
    DatabaseIdentity viaAddress = identity(url);
    assertThat(identity("jdbc:postgresql://localhost:" + port + "/app?user=postgres")).isEqualTo(viaAddress);
    assertThat(identity("jdbc:postgresql://127.0.0.1:" + port + "/%61pp?user=postgres")).isEqualTo(viaAddress);
    assertThat(identity(postgres.cluster().jdbcUrl("other")).sameDatabaseAs(viaAddress)).isFalse();
  }

  @Test
  void aSqliteFileIsTheSameThroughASymlinkAndAHardLink() throws Exception {
    Path file = dir.resolve("a.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      c.createStatement().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    }
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), file);
    Path hard = Files.createLink(dir.resolve("hard.db"), file);
    DatabaseIdentity id = identity("jdbc:sqlite:" + file);
    assertThat(identity("jdbc:sqlite:" + link)).isEqualTo(id);
    assertThat(identity("jdbc:sqlite:" + hard).sameDatabaseAs(id)).isTrue();
    assertThat(DatabaseIdentity.ofFile(dir.resolve("a.db"))).contains(id);
    assertThat(DatabaseIdentity.ofFile(dir.resolve("missing.db"))).isEmpty();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("b.db"))) {
      assertThat(DatabaseIdentity.of(c).orElseThrow().sameDatabaseAs(id)).isFalse();
    }
  }

  @Test
  void initialCopyRefusesATargetThatIsItsSourceAndLeavesItsKey() throws Exception {
    String alias = "jdbc:postgresql://localhost:" + postgres.cluster().port() + "/app?user=postgres";
    assertThatThrownBy(() -> Snapshots.copy(url, List.of(new TableId("public", "accounts")),
        ApplyConfig.defaults("r1", "journal"), () -> DriverManager.getConnection(alias),
        new CopyOptions(2, 1000, Optional.empty())))
        .isInstanceOf(SyncException.class).hasMessageContaining("[replica r1]")
        .hasMessageContaining("the replica's database is the source's own");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM accounts),"
            + " (SELECT count(*) FROM pg_index WHERE indrelid = 'accounts'::regclass AND indisprimary),"
            + " (SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry')")) {
      rs.next();
      assertThat(rs.getInt(1)).as("rows").isEqualTo(100);
      assertThat(rs.getInt(2)).as("primary key").isEqualTo(1);
      assertThat(rs.getInt(3)).as("ferry schema").isZero();
    }
  }

  @Test
  void archiveLoadRefusesTheDatabaseItWasExportedFrom() throws Exception {
    String alias = "jdbc:postgresql://localhost:" + postgres.cluster().port() + "/app?user=postgres";
    ExportArchive.Writer writer = ExportArchive.create(dir.resolve("archive"));
    Snapshots.export(writer, url, List.of(new TableId("public", "accounts")), 1);
    writer.finish(0, Optional.empty());
    ExportArchive archive = ExportArchive.open(dir.resolve("archive"));
    assertThat(archive.sourceIdentity()).contains(identity(url).key());
    assertThatThrownBy(() -> archive.loadInto(ApplyConfig.defaults("r1", "journal"),
        () -> DriverManager.getConnection(alias), Optional.empty()))
        .isInstanceOf(SyncException.class).hasMessageContaining("into the database it was exported from");
    assertSourceIntact();
  }

  private static void assertSourceIntact() throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM accounts),"
            + " (SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry')")) {
      rs.next();
      assertThat(rs.getInt(1)).as("rows").isEqualTo(100);
      assertThat(rs.getInt(2)).as("ferry schema").isZero();
    }
  }

  private static DatabaseIdentity identity(String jdbcUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      return DatabaseIdentity.of(c).orElseThrow();
    }
  }
}
