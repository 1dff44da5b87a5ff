package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
 * A → B applies (SQLite files); B is itself captured by triggers into C. Ferry's apply marks the
 * start and end of each of its transactions on B in B's change table, so what it applied there is
 * not captured again; a local write on B is; Ferry's control tables never are. With {@code
 * source.forward-origins: true} the replicated changes are captured too.
 */
@Timeout(300)
class SqliteNoReplicationLoopTest {
  @TempDir Path dir;

  @Test
  void changesAppliedFromAnotherJournalAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(relay(false)).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesTheAppliedChangesToo() throws Exception {
    assertThat(relay(true)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  /** Runs A → B → C, writes ids 1..5 on A and 1000 on B; returns the ids C holds. */
  private List<Integer> relay(boolean forward) throws Exception {
    try (SqliteDatabase a = SqliteDatabase.create(); SqliteDatabase lb = SqliteDatabase.create();
        SqliteDatabase c = SqliteDatabase.create()) {
      String b = lb.jdbcUrl();
      for (SqliteDatabase lite : List.of(a, lb, c)) {
        try (Connection cl = lite.connect(); Statement st = cl.createStatement()) {
          st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        }
      }
      NodeSpec bToC = spec("b", b, c.jdbcUrl(), "c", "bc", forward);
      NodeSpec aToB = spec("a", a.jdbcUrl(), b, "b", "ab", false);
      bToC.source().setUp();
      aToB.source().setUp();
      try (FerryNode second = FerryNode.start(bToC, FerryNode.Role.RUN, List.of("c"));
          FerryNode first = FerryNode.start(aToB, FerryNode.Role.RUN, List.of("b"))) {
        assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C streaming").isTrue();
        assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B streaming").isTrue();
        try (Connection ca = a.connect(); Statement st = ca.createStatement()) {
          for (int id = 1; id <= 5; id++) {
            st.execute("INSERT INTO items VALUES (" + id + ", 'from a')");
          }
        }
        assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
        try (Connection cb = DriverManager.getConnection(b)) {
          assertThat(ids(cb)).containsExactly(1, 2, 3, 4, 5);
          try (Statement st = cb.createStatement()) {
            st.execute("INSERT INTO items VALUES (1000, 'local on b')");
          }
        }
        assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C applied").isTrue();
      }
      try (Connection cc = c.connect(); Statement st = cc.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM ferry_replication_control")) {
        rs.next();
        assertThat(rs.getInt(1)).as("C's own progress row; B's progress rows never copied there").isEqualTo(1);
      }
      try (Connection cc = c.connect()) {
        return ids(cc);
      }
    }
  }

  private NodeSpec spec(String source, String sourceUrl, String replicaUrl, String replica, String journal,
      boolean forward) throws Exception {
    FerryConfig config = FerryConfig.parse("""
        source:
          name: %s
          url: %s
        %s
        journal:
          dir: %s
        replicas:
          - name: %s
            url: %s
            mode: read-write
        """.formatted(source, sourceUrl, forward ? "  forward-origins: true" : "", dir.resolve(journal), replica,
            replicaUrl), dir.resolve(journal + ".yaml"), Map.of());
    List<ReplicaSpec> replicas = new ArrayList<>();
    for (ReplicaSettings r : config.replicas()) {
      replicas.add(new ReplicaSpec(r.apply(), r.url().value(), new Properties()));
    }
    return new NodeSpec(config.source().capture(), config.journal(), config.archive(), replicas, config.from(),
        config.serve());
  }

  private static List<Integer> ids(Connection c) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM items ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }
}
