package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A → B applies; B is itself captured into C. What Ferry applied on B carries a replication origin
 * and is not captured again; a local write on B is. With {@code source.forward-origins: true} the
 * replicated changes are captured too.
 */
@Timeout(300)
class NoReplicationLoopTest {
  @TempDir Path dir;

  @Test
  void changesAppliedFromAnotherJournalAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(relay(false, false)).containsExactly(1000);
  }

  /**
   * B's capture streams big transactions in progress ({@code source.streaming: on}, a tiny
   * {@code logical_decoding_work_mem}): a 3,000-row transaction Ferry applied there arrives in
   * stream blocks, its origin in the first, and is not captured either.
   */
  @Test
  void aReplicatedTransactionStreamedInProgressIsNotCapturedAgainEither() throws Exception {
    assertThat(relay(false, true)).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesTheAppliedChangesToo() throws Exception {
    assertThat(relay(true, false)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  /**
   * Runs A → B → C, writes ids 1..5 on A (with {@code streaming}, also 10001..13000 in one
   * transaction, which B's capture streams) and 1000 on B; returns the ids C holds.
   */
  private List<Integer> relay(boolean forward, boolean streaming) throws Exception {
    try (PostgresCluster pg = PostgresCluster.start()) {
      if (streaming) {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
          st.execute("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
          st.execute("SELECT pg_reload_conf()");
        }
      }
      for (String db : List.of("a", "b", "c")) {
        pg.createDatabase(db);
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
        }
      }
      NodeSpec bToC = spec("b", pg.jdbcUrl("b"), pg.jdbcUrl("c"), "bc", forward, streaming);
      NodeSpec aToB = spec("a", pg.jdbcUrl("a"), pg.jdbcUrl("b"), "ab", false, false);
      bToC.source().setUp();
      aToB.source().setUp();
      try (FerryNode second = FerryNode.start(bToC, FerryNode.Role.RUN, List.of("c"));
          FerryNode first = FerryNode.start(aToB, FerryNode.Role.RUN, List.of("b"))) {
        assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C streaming").isTrue();
        assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B streaming").isTrue();
        try (Connection a = pg.connect("a"); Statement st = a.createStatement()) {
          for (int id = 1; id <= 5; id++) {
            st.execute("INSERT INTO items VALUES (" + id + ", 'from a')");
          }
          if (streaming) {
            st.execute("INSERT INTO items SELECT g, repeat('x', 100) FROM generate_series(10001, 13000) g");
          }
        }
        assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
        assertThat(ids(pg, "b")).hasSize(streaming ? 3005 : 5).startsWith(1, 2, 3, 4, 5);
        try (Connection b = pg.connect("b"); Statement st = b.createStatement()) {
          st.execute("INSERT INTO items VALUES (1000, 'local on b')");
        }
        assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C applied").isTrue();
      }
      return ids(pg, "c");
    }
  }

  private NodeSpec spec(String source, String sourceUrl, String replicaUrl, String journal, boolean forward,
      boolean streaming) throws Exception {
    String replica = replicaUrl.substring(replicaUrl.lastIndexOf('/') + 1, replicaUrl.indexOf('?'));
    FerryConfig config = FerryConfig.parse("""
        source:
          name: %s
          url: %s
          forward-origins: %s
          streaming: %s
        journal:
          dir: %s
        replicas:
          - name: %s
            url: %s
            mode: read-write
        """.formatted(source, sourceUrl, forward, streaming ? "on" : "off", dir.resolve(journal), replica, replicaUrl),
        dir.resolve(journal + ".yaml"), Map.of());
    List<ReplicaSpec> replicas = new ArrayList<>();
    for (ReplicaSettings r : config.replicas()) {
      replicas.add(new ReplicaSpec(r.apply(), r.url().value(), new Properties()));
    }
    return new NodeSpec(config.source().capture(), config.journal(), config.archive(), replicas, config.from(),
        config.serve());
  }

  private static List<Integer> ids(PostgresCluster pg, String db) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = pg.connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM items ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }
}
