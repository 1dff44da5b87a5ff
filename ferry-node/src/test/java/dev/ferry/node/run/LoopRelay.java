package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
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

/**
 * The relay the loop tests run in process: A → B applied by one node, B captured into C by another.
 * Each database holds {@code items (id, name)}; ids 1..5 are written on A, then 1000 on B. Returns
 * the ids C holds.
 */
final class LoopRelay {
  /** More writes on A after ids 1..5 ({@code first}: the A → B node, to wait for). */
  interface OnA {
    void run(Statement a, FerryNode first) throws Exception;
  }

  private LoopRelay() {
  }

  /**
   * Runs the relay; {@code bSource} is added to B's {@code source} section (two-space indented
   * lines, or empty).
   */
  static List<Integer> relay(Path dir, String a, String b, String c, String bSource, OnA more) throws Exception {
    NodeSpec bToC = spec(dir, "b", b, c, "bc", bSource);
    NodeSpec aToB = spec(dir, "a", a, b, "ab", "");
    bToC.source().setUp();
    aToB.source().setUp();
    try (FerryNode second = FerryNode.start(bToC, FerryNode.Role.RUN, List.of("c"));
        FerryNode first = FerryNode.start(aToB, FerryNode.Role.RUN, List.of("b"))) {
      assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C streaming").isTrue();
      assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B streaming").isTrue();
      try (Connection ca = DriverManager.getConnection(a); Statement st = ca.createStatement()) {
        for (int id = 1; id <= 5; id++) {
          st.execute("INSERT INTO items VALUES (" + id + ", 'from a')");
        }
        more.run(st, first);
      }
      assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
      assertThat(ids(b)).startsWith(1, 2, 3, 4, 5);
      try (Connection cb = DriverManager.getConnection(b); Statement st = cb.createStatement()) {
        st.execute("INSERT INTO items VALUES (1000, 'local on b')");
      }
      assertThat(second.awaitCaughtUp(Duration.ofSeconds(120))).as("B → C applied").isTrue();
    }
    return ids(c);
  }

  private static NodeSpec spec(Path dir, String source, String sourceUrl, String replicaUrl, String journal,
      String sourceLines) throws Exception {
    String replica = journal.substring(1);
    FerryConfig config = FerryConfig.parse("source:\n  name: " + source + "\n  url: " + sourceUrl + "\n" + sourceLines
        + "journal:\n  dir: " + dir.resolve(journal) + "\nreplicas:\n  - name: " + replica + "\n    url: " + replicaUrl
        + "\n    mode: read-write\n", dir.resolve(journal + ".yaml"), Map.of());
    List<ReplicaSpec> replicas = new ArrayList<>();
    for (ReplicaSettings r : config.replicas()) {
      replicas.add(new ReplicaSpec(r.apply(), r.url().value(), new Properties()));
    }
    return new NodeSpec(config.source().capture(), config.journal(), config.archive(), replicas, config.from(),
        config.serve());
  }

  /** The ids of {@code items} at {@code url}, in order. */
  static List<Integer> ids(String url) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM items ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  /** A count at {@code url}. */
  static int count(String url, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
