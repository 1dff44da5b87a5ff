package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class PostgresClusterTest {

  @Test
  void runsTwoClustersAndASqliteDatabaseAtOnceAndLeavesNothingBehind() throws Exception {
    Path dirA;
    Path dirB;
    long pidA;
    long pidB;
    Path sqliteFile;
    try (PostgresCluster a = PostgresCluster.start();
        PostgresCluster b = PostgresCluster.start();
        SqliteDatabase s = SqliteDatabase.create()) {
      dirA = a.directory();
      dirB = b.directory();
      pidA = a.serverPid();
      pidB = b.serverPid();
      sqliteFile = s.file();
      assertThat(a.port()).isNotEqualTo(b.port());
      for (var url : List.of(a.jdbcUrl(), b.jdbcUrl(), s.jdbcUrl())) {
        try (Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
          st.execute("INSERT INTO t VALUES (1, '" + url.replace("'", "''") + "')");
          try (ResultSet rs = st.executeQuery("SELECT v FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(url);
          }
        }
      }
      assertThat(ProcessHandle.of(pidA)).isPresent();
      assertThat(ProcessHandle.of(pidB)).isPresent();
    }
    assertThat(dirA).doesNotExist();
    assertThat(dirB).doesNotExist();
    assertThat(sqliteFile.getParent()).doesNotExist();
    assertThat(gone(pidA)).as("server process %d stopped", pidA).isTrue();
    assertThat(gone(pidB)).as("server process %d stopped", pidB).isTrue();
  }

  @Test
  void hasTheSettingsLogicalReplicationNeeds() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(Map.of("work_mem", "7MB"));
        Connection c = pg.connect();
        Statement st = c.createStatement()) {
      assertThat(setting(st, "wal_level")).isEqualTo("logical");
      assertThat(setting(st, "fsync")).isEqualTo("on");
      assertThat(Integer.parseInt(setting(st, "max_replication_slots"))).isGreaterThanOrEqualTo(10);
      assertThat(Integer.parseInt(setting(st, "max_wal_senders"))).isGreaterThanOrEqualTo(10);
      assertThat(setting(st, "work_mem")).isEqualTo("7MB");
      assertThat(setting(st, "server_version_num")).startsWith(PostgresBinaries.PREFERRED_VERSION);
    }
  }

  @Test
  void acceptsLogicalReplicationConnections() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start()) {
      String url = pg.createDatabase("app");
      try (Connection c = java.sql.DriverManager.getConnection(pg.replicationUrl("app"));
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("dbname")).isEqualTo("app");
      }
      assertThat(url).endsWith("/app?user=postgres");
    }
  }

  private static String setting(Statement st, String name) throws Exception {
    try (ResultSet rs = st.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean gone(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return !Files.exists(Path.of("/proc", Long.toString(pid)));
  }
}
