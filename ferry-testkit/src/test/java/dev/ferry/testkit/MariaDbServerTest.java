package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class MariaDbServerTest {

  @Test
  void runsTwoServersAtOnceAndLeavesNothingBehind() throws Exception {
    Path dirA;
    Path dirB;
    long pidA;
    long pidB;
    try (MariaDbServer a = MariaDbServer.start(); MariaDbServer b = MariaDbServer.start()) {
      dirA = a.directory();
      dirB = b.directory();
      pidA = a.serverPid();
      pidB = b.serverPid();
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(a.serverId()).isNotEqualTo(b.serverId());
      for (MariaDbServer server : new MariaDbServer[] {a, b}) {
        String url = server.createDatabase("app");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100)) ENGINE=InnoDB");
          st.execute("INSERT INTO t VALUES (1, 'port " + server.port() + " 🚢')");
          try (ResultSet rs = st.executeQuery("SELECT v FROM t")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("port " + server.port() + " 🚢");
          }
        }
      }
      assertThat(ProcessHandle.of(pidA)).isPresent();
      assertThat(ProcessHandle.of(pidB)).isPresent();
    }
    assertThat(dirA).doesNotExist();
    assertThat(dirB).doesNotExist();
    assertThat(gone(pidA)).as("server process %d stopped", pidA).isTrue();
    assertThat(gone(pidB)).as("server process %d stopped", pidB).isTrue();
  }

  @Test
  void hasTheSettingsBinlogCaptureNeeds() throws Exception {
    try (MariaDbServer server = MariaDbServer.start(Map.of("gtid_domain_id", "3"));
        Connection c = server.connect();
        Statement st = c.createStatement()) {
      assertThat(variable(st, "log_bin")).isEqualTo("ON");
      assertThat(variable(st, "binlog_format")).isEqualTo("ROW");
      assertThat(variable(st, "binlog_row_image")).isEqualTo("FULL");
      assertThat(variable(st, "sync_binlog")).isEqualTo("1");
      assertThat(variable(st, "server_id")).isEqualTo(Integer.toString(server.serverId()));
      assertThat(variable(st, "gtid_domain_id")).isEqualTo("3");
      assertThat(variable(st, "collation_server")).isEqualTo("utf8mb4_bin");
      assertThat(variable(st, "time_zone")).isEqualTo("+00:00");
      assertThat(variable(st, "version")).contains("MariaDB");
      st.execute("CREATE DATABASE app");
      st.execute("CREATE TABLE app.t (id INT PRIMARY KEY)");
      st.execute("INSERT INTO app.t VALUES (1)");
      assertThat(variable(st, "gtid_binlog_pos")).isEqualTo("3-" + server.serverId() + "-3");
      if ("root".equals(System.getProperty("user.name"))) {
        String owner = Files.getOwner(server.directory().resolve("data/ibdata1")).getName();
        assertThat(owner).as("the server runs as the mysql OS user").isEqualTo("mysql");
      }
    }
  }

  private static String variable(Statement st, String name) throws Exception {
    try (ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
      assertThat(rs.next()).as("variable %s", name).isTrue();
      return rs.getString(2);
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
