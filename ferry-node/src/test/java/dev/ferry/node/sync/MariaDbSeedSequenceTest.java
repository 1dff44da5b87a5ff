package dev.ferry.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
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
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The initial sync from a MariaDB source carries its SEQUENCEs (issue 16): a sequence {@code s}
 * that has handed out values (a table's ids through {@code DEFAULT NEXTVAL(s)} and plain
 * {@code NEXTVAL}s, its cache of 5 refilled) before the seed's snapshot is, right after the seed and
 * before any further source write, created on a MariaDB replica that lacked it and moved up there,
 * moved up on a PostgreSQL replica that has a sequence {@code s}, and kept in {@code ferry_sequences}
 * on a SQLite replica: each replica's sequence hands out only values above every one the source
 * handed out. A PostgreSQL replica without a sequence {@code s} is seeded all the same (with a
 * warning). A sequence {@code source.tables} leaves out is not carried.
 */
@Timeout(240)
class MariaDbSeedSequenceTest {
  @TempDir Path dir;

  @Test
  void aSeedCarriesTheSourceSequencesAboveEveryValueHandedOut() throws Exception {
    try (MariaDbServer source = MariaDbServer.start(); MariaDbServer target = MariaDbServer.start();
        PostgresCluster pg = PostgresCluster.start(); SqliteDatabase lite = SqliteDatabase.create()) {
      String src = source.createDatabase("app");
      execute(src, "CREATE SEQUENCE s START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE SEQUENCE left_out START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE TABLE t (id BIGINT PRIMARY KEY DEFAULT NEXTVAL(s), v VARCHAR(20))",
          "SELECT NEXTVAL(left_out)");
      for (int i = 0; i < 4; i++) {
        execute(src, "INSERT INTO t (v) VALUES ('r" + i + "')");
      }
      execute(src, "SELECT NEXTVAL(s)", "SELECT NEXTVAL(s)", "SELECT NEXTVAL(s)");
      long handedOut = Long.parseLong(rows(src, "SELECT NEXTVAL(s)").getFirst()); // 8; next_not_cached_value is 11
      assertThat(handedOut).isEqualTo(8);
      String maria = target.createDatabase("app");
      String postgres = pg.createDatabase("app");
      execute(postgres, "CREATE SEQUENCE s", "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
      String postgresWithout = pg.createDatabase("app_without");
      execute(postgresWithout, "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
      MariaDbSourceConfig config = MariaDbSourceConfig.of("m", src)
          .withTables(TableFilter.of(List.of(), List.of("left_out")));
      NodeSpec spec = new NodeSpec(new SourceSpec.MariaDb(config), JournalConfig.defaults(dir.resolve("journal")),
          List.of(replica("maria", maria), replica("pg", postgres), replica("lite", lite.jdbcUrl()),
              replica("pgwithout", postgresWithout)));
      try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of())) {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (System.nanoTime() < deadline && !node.status().replicas().stream()
            .allMatch(r -> r.state() == ReplicaState.STREAMING)) {
          assertThat(node.failedReplicas()).isEmpty();
          Thread.sleep(100);
        }
        assertThat(node.status().replicas()).as("every replica seeded and streaming")
            .allMatch(r -> r.state() == ReplicaState.STREAMING);
        assertThat(rows(maria, "SELECT count(*) FROM t")).containsExactly("4");
        assertThat(Long.parseLong(rows(maria, "SELECT NEXTVAL(s)").getFirst()))
            .as("the MariaDB replica's sequence, created by the seed").isGreaterThan(handedOut);
        assertThat(rows(maria, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            + " AND TABLE_NAME = 'left_out'")).as("a sequence source.tables leaves out").containsExactly("0");
        assertThat(Long.parseLong(rows(postgres, "SELECT nextval('s')").getFirst()))
            .as("the PostgreSQL replica's sequence").isGreaterThan(handedOut);
        assertThat(rows(postgresWithout, "SELECT count(*) FROM t")).as("a PostgreSQL replica without s: seeded (a"
            + " warning), no sequence made").containsExactly("4");
        assertThat(rows(postgresWithout, "SELECT count(*) FROM pg_class WHERE relname = 's'")).containsExactly("0");
        assertThat(rows(lite.jdbcUrl(), "SELECT name, value FROM ferry_sequences"))
            .as("SQLite keeps the value (nothing of left_out)").containsExactly("\"\".s 10");
        assertThat(node.failedReplicas()).isEmpty();
      }
    }
  }

  private static ReplicaSpec replica(String name, String url) {
    return new ReplicaSpec(ApplyConfig.defaults(name, "unset"), url, new Properties());
  }

  private static void execute(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  /** Each row's columns joined by a space. */
  private static List<String> rows(String url, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i == 1 ? "" : " ").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }
}
