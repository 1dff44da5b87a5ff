package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica URL that reaches the source by another road — a host name for its address, a database
 * name spelled differently, another port forwarding to the same server — is refused by
 * {@code ferry setup}, {@code run}, {@code apply} and {@code load} before anything is touched: the source's schema dump,
 * its database settings, slots and publications are what they were.
 */
@Timeout(600)
class ReplicaIsTheSourceTest {
  private static final Path PG_DUMP = Path.of("/usr/lib/postgresql/15/bin/pg_dump");

  @RegisterExtension static final AppSource source = new AppSource(
      "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
      "CREATE TABLE events (id bigserial PRIMARY KEY, note text)",
      "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 50) g");
  private static LoopbackForwarder forwarder;

  @TempDir Path dir;

  @BeforeAll
  static void startForwarder() throws Exception {
    forwarder = new LoopbackForwarder(source.cluster().port());
  }

  @AfterAll
  static void stopForwarder() throws Exception {
    forwarder.close();
  }

  @Test
  void refusesReplicaThatIsTheSourceByHostAlias() throws Exception {
    assertRefusedAndSourceUnchanged("jdbc:postgresql://localhost:" + source.cluster().port() + "/app?user=postgres");
  }

  @Test
  void refusesReplicaThatIsTheSourceByDatabaseNameSpelling() throws Exception {
    // %61pp is "app" once the driver decodes the URL: the text differs, the database does not.
    assertRefusedAndSourceUnchanged("jdbc:postgresql://127.0.0.1:" + source.cluster().port() + "/%61pp?user=postgres");
  }

  @Test
  void refusesReplicaThatIsTheSourceByHostNameCaseAndParameters() throws Exception {
    assertRefusedAndSourceUnchanged("jdbc:postgresql://LocalHost:" + source.cluster().port()
        + "/app?user=postgres&ApplicationName=replica");
  }

  @Test
  void refusesReplicaThatIsTheSourceThroughAnotherPortForwardingToIt() throws Exception {
    assertRefusedAndSourceUnchanged("jdbc:postgresql://127.0.0.1:" + forwarder.port() + "/app?user=postgres");
  }

  @Test
  void refusesTwoReplicasThatAreOneDatabase() throws Exception {
    String other = "jdbc:postgresql://127.0.0.1:" + source.cluster().port() + "/other?user=postgres";
    try (Connection c = source.cluster().connect(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE other");
    }
    String before = catalog();
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, yaml(other) + """
          - name: r2
            url: jdbc:postgresql://127.0.0.1:%d/other?user=postgres
        """.formatted(forwarder.port()));
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofMinutes(2), "setup", "-c", config.toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.stderr()).contains("replicas[1].url (replica r2)").contains("replicas[0].url (replica r1)");
    assertThat(catalog()).isEqualTo(before);
  }

  private void assertRefusedAndSourceUnchanged(String replicaUrl) throws Exception {
    String before = catalog();
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, yaml(replicaUrl));
    for (List<String> command : List.of(List.of("setup"), List.of("run"), List.of("apply"),
        List.of("load", dir.resolve("archive").toString(), "--replica", "r1"), List.of("teardown", "--replicas", "r1"))) {
      List<String> args = new ArrayList<>(command);
      args.addAll(List.of("-c", config.toString()));
      FerryCli.Result r = new FerryCli(dir).run(Duration.ofMinutes(2), args.toArray(String[]::new));
      assertThat(r.exitCode()).as("ferry %s: %s", command, r.all()).isEqualTo(1);
      assertThat(r.stderr()).as("ferry %s", command).contains("replicas[0].url (replica r1)").contains("source.url")
          .doesNotContain("internal error");
      assertThat(catalog()).as("the source after ferry %s", command).isEqualTo(before);
    }
  }

  private String yaml(String replicaUrl) {
    return FerryYaml.oneReplica(source.url(), dir.resolve("journal"), replicaUrl);
  }

  /** The source's schema dump, database settings, slots and publications. */
  private static String catalog() throws Exception {
    List<String> parts = new ArrayList<>();
    Process dump = new ProcessBuilder(PG_DUMP.toString(), "--schema-only", "-h", "127.0.0.1", "-p",
        Integer.toString(source.cluster().port()), "-U", "postgres", "app").redirectErrorStream(true).start();
    String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(dump.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dump.exitValue()).as(text).isZero();
    // The restrict and unrestrict lines carry a random key that differs on every dump.
    parts.add(text.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\" + "unrestrict"))
        .collect(java.util.stream.Collectors.joining("\n")));
    try (Connection c = source.cluster().connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("""
            SELECT 'setting ' || coalesce(d.datname, '*') || ' ' || array_to_string(s.setconfig, ',') FROM pg_db_role_setting s
              LEFT JOIN pg_database d ON d.oid = s.setdatabase
            UNION ALL SELECT 'slot ' || slot_name FROM pg_replication_slots
            UNION ALL SELECT 'datallowconn ' || datname || ' ' || datallowconn FROM pg_database
            ORDER BY 1""")) {
      while (rs.next()) {
        parts.add(rs.getString(1));
      }
    }
    try (Connection c = DriverManager.getConnection(source.url()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 'publication ' || pubname FROM pg_publication ORDER BY 1")) {
      while (rs.next()) {
        parts.add(rs.getString(1));
      }
    }
    return String.join("\n", parts);
  }
}
