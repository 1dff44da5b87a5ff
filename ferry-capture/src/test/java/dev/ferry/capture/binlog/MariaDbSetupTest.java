package dev.ferry.capture.binlog;

import static dev.ferry.capture.binlog.Binlogs.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad MariaDB setups are refused before capture starts, each error naming the variable, grant or column. */
@Timeout(120)
class MariaDbSetupTest {
  private static MariaDbServer server;
  private static String url;

  @BeforeAll
  static void startServer() throws Exception {
    server = MariaDbServer.start();
    url = server.createDatabase("app");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void acceptsTheTestKitsServerAndListsTheFilteredTables() throws Exception {
    try (Connection c = server.connect("app")) {
      exec(c, "CREATE TABLE IF NOT EXISTS ok1 (id INT PRIMARY KEY)");
    }
    assertThat(BinlogSetup.check(MariaDbSourceConfig.of("m", url).withTables(
        dev.ferry.journal.model.TableFilter.of(java.util.List.of("ok.*"), java.util.List.of()))))
        .extracting(t -> t.name()).containsExactly("ok1");
  }

  /**
   * forward-origins on a server with log_slave_updates=OFF (the test kit's default): a warning, not
   * an error, given once although {@code ferry run} checks at setup and again when capture starts.
   */
  @Test
  void warnsOnceThatForwardOriginsFindsNothingWithoutLogSlaveUpdates() throws Exception {
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(BinlogSetup.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      try (Connection c = server.connect("app")) {
        exec(c, "CREATE TABLE IF NOT EXISTS ok1 (id INT PRIMARY KEY)");
      }
      MariaDbSourceConfig config = MariaDbSourceConfig.of("m", url).withForwardApplied(true).withTables(
          dev.ferry.journal.model.TableFilter.of(java.util.List.of("ok.*"), java.util.List.of()));
      BinlogSetup.check(config);
      BinlogSetup.check(config);
      assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains("source.forward-origins is true"))
          .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("log_slave_updates=OFF")
              .contains("set log_slave_updates=ON"));
    } finally {
      log.detachAppender(lines);
    }
  }

  @Test
  void refusesBinlogFormatOtherThanRow() throws Exception {
    try (Connection c = server.connect()) {
      exec(c, "SET GLOBAL binlog_format = 'MIXED'");
      try {
        assertThatThrownBy(() -> BinlogSetup.check(MariaDbSourceConfig.of("m", url)))
            .isInstanceOf(CaptureException.class).hasMessageContaining("binlog_format=MIXED")
            .hasMessageContaining("binlog_format=ROW");
      } finally {
        exec(c, "SET GLOBAL binlog_format = 'ROW'");
      }
    }
  }

  @Test
  void refusesAMinimalRowImage() throws Exception {
    try (Connection c = server.connect()) {
      exec(c, "SET GLOBAL binlog_row_image = 'MINIMAL'");
      try {
        assertThatThrownBy(() -> BinlogSetup.check(MariaDbSourceConfig.of("m", url)))
            .hasMessageContaining("binlog_row_image=MINIMAL").hasMessageContaining("binlog_row_image=FULL");
      } finally {
        exec(c, "SET GLOBAL binlog_row_image = 'FULL'");
      }
    }
  }

  @Test
  void refusesFerrysServerIdWhenItIsTheSourcesOwn() {
    assertThatThrownBy(() -> MariaDbCapture.start(MariaDbSourceConfig.of("m", url)
        .withReplicaServerId(server.serverId()), new MemorySink()))
        .hasMessageContaining("server_id is " + server.serverId()).hasMessageContaining("binlog-server-id");
  }

  @Test
  void refusesAUserWithoutReplicationGrants() throws Exception {
    try (Connection c = server.connect()) {
      exec(c, "CREATE USER IF NOT EXISTS 'reader'@'127.0.0.1' IDENTIFIED BY 'pw'",
          "GRANT SELECT ON app.* TO 'reader'@'127.0.0.1'");
    }
    String reader = url.replace("user=root", "user=reader&password=pw");
    assertThatThrownBy(() -> BinlogSetup.check(MariaDbSourceConfig.of("m", reader)))
        .hasMessageContaining("'reader'@'127.0.0.1' lacks REPLICATION SLAVE and REPLICATION CLIENT")
        .hasMessageContaining("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.*");
    try (Connection c = server.connect()) {
      exec(c, "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'reader'@'127.0.0.1'");
    }
    assertThat(BinlogSetup.check(MariaDbSourceConfig.of("m", reader).withTables(
        dev.ferry.journal.model.TableFilter.of(java.util.List.of("none"), java.util.List.of())))).isEmpty();
  }

  @Test
  void refusesAColumnOfATypeNotCapturedNamingTableAndColumn() throws Exception {
    try (Connection c = server.connect("app")) {
      exec(c, "CREATE TABLE IF NOT EXISTS placed (id INT PRIMARY KEY, at POINT)");
    }
    assertThatThrownBy(() -> BinlogSetup.check(MariaDbSourceConfig.of("m", url)))
        .hasMessageContaining("column app.placed.at has type point").hasMessageContaining("source.tables");
  }

  @Test
  void refusesAServerWithoutItsBinlog() throws Exception {
    try (MariaDbServer off = MariaDbServer.start(Map.of("skip-log-bin", "1"))) {
      String offUrl = off.createDatabase("app");
      assertThatThrownBy(() -> BinlogSetup.check(MariaDbSourceConfig.of("m", offUrl)))
          .hasMessageContaining("log_bin off");
    }
  }
}
