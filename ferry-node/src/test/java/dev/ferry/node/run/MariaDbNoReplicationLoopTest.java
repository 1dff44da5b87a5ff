package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.mariadb.MariaDbControlTables;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.testkit.MariaDbServer;
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
 * A (SQLite) → B (MariaDB) applies; B is itself captured from its binlog into C (SQLite). What
 * Ferry applied on B wrote B's progress table in the same transaction and is not captured again;
 * a local write on B is; Ferry's control tables never are. With {@code source.forward-origins: true}
 * the replicated changes are captured too.
 */
@Timeout(300)
class MariaDbNoReplicationLoopTest {
  @TempDir Path dir;

  /** The binlog capture knows the progress table by this name (ferry-capture cannot see ferry-apply). */
  @Test
  void theCaptureMarkerIsTheNameTheApplyGivesTheProgressTable() {
    assertThat(MariaDbControlTables.INSTANCE.progress()).isEqualTo("ferry_replication_control");
  }

  @Test
  void changesAppliedFromAnotherJournalAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(relay(false, false)).containsExactly(1000);
  }

  /**
   * A creates a table: Ferry applies the CREATE TABLE to B (a binlog group of its own, marked as
   * applied) and the table's rows; B's capture leaves both out, so C (SQLite, which would stop at
   * a MariaDB source's DDL) goes on to B's local write.
   */
  @Test
  void ddlAppliedFromAnotherJournalIsNotCapturedAgainEither() throws Exception {
    assertThat(relay(false, true)).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesTheAppliedChangesToo() throws Exception {
    assertThat(relay(true, false)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  /**
   * Runs A → B → C, writes ids 1..5 on A (with {@code ddl}, then creates table {@code other} on A
   * and writes a row there) and 1000 on B; returns the ids C holds.
   */
  private List<Integer> relay(boolean forward, boolean ddl) throws Exception {
    try (MariaDbServer server = MariaDbServer.start(); SqliteDatabase a = SqliteDatabase.create();
        SqliteDatabase c = SqliteDatabase.create()) {
      String b = server.createDatabase("b");
      try (Connection cb = DriverManager.getConnection(b); Statement st = cb.createStatement()) {
        st.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB");
      }
      for (SqliteDatabase lite : List.of(a, c)) {
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
          if (ddl) {
            // SQLite capture journals the rows written before a schema change with it; a MariaDB
            // target takes DDL only in a transaction of its own.
            assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
            st.execute("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT)");
            st.execute("INSERT INTO other VALUES (1, 'from a')");
          }
        }
        assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
        try (Connection cb = DriverManager.getConnection(b)) {
          assertThat(ids(cb)).containsExactly(1, 2, 3, 4, 5);
          if (ddl) {
            try (Statement st = cb.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM other")) {
              rs.next();
              assertThat(rs.getInt(1)).as("A's new table and its row, applied on B").isEqualTo(1);
            }
          }
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
      try (Connection cc = c.connect(); Statement st = cc.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema WHERE name = 'other'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the table Ferry created on B, not created again on C").isZero();
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
