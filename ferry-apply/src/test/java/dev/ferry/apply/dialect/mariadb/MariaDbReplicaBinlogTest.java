package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Ferry writes to a MariaDB target is binlogged only where the server logs a replica's writes
 * ({@code log_slave_updates}), as MariaDB's own replica threads: on a server with MariaDB's
 * default (off) Ferry's sessions run with {@code sql_log_bin = 0} and what they commit leaves the
 * binlog untouched; with {@code log_slave_updates=ON} it is binlogged (the marks a capture of the
 * target relies on, docs/failover.md#loops); a user without {@code BINLOG ADMIN} is binlogged.
 * Sessions run at READ COMMITTED, where InnoDB refuses writes into a binlog in {@code STATEMENT}
 * format: a target that would binlog Ferry's writes that way is refused before the first
 * transaction, naming the replica and the setting; one that does not binlog them is not concerned.
 * Their own servers: the test changes global settings.
 */
class MariaDbReplicaBinlogTest {
  private static MariaDbServer byDefault;
  private static MariaDbServer logsReplica;

  @BeforeAll
  static void start() throws Exception {
    byDefault = MariaDbServer.start();
    logsReplica = MariaDbServer.start(Map.of("log-slave-updates", "ON"));
  }

  @AfterAll
  static void stop() throws Exception {
    byDefault.close();
    logsReplica.close();
  }

  @Test
  void ferrysWritesStayOutOfTheBinlogUnlessTheServerLogsAReplicasWrites() throws Exception {
    String url = byDefault.createDatabase("quiet");
    createTable(url);
    String before = binlogPos(url);
    try (Connection c = DriverManager.getConnection(url)) {
      MariaDbDialect.INSTANCE.prepareSession(c, false, "r1");
      assertThat(sessionValue(c, "@@sql_log_bin")).isEqualTo("0");
      assertThat(sessionValue(c, "@@tx_isolation")).isEqualTo("READ-COMMITTED");
      insertAndCommit(c);
    }
    assertThat(binlogPos(url)).isEqualTo(before); // nothing of it in the binlog
    String logged = logsReplica.createDatabase("logged");
    createTable(logged);
    String loggedBefore = binlogPos(logged);
    try (Connection c = DriverManager.getConnection(logged)) {
      MariaDbDialect.INSTANCE.prepareSession(c, false, "r1");
      assertThat(sessionValue(c, "@@sql_log_bin")).isEqualTo("1");
      insertAndCommit(c);
    }
    assertThat(binlogPos(logged)).isNotEqualTo(loggedBefore);
  }

  @Test
  void aUserWithoutBinlogAdminIsBinloggedAsBefore() throws Exception {
    String url = byDefault.createDatabase("plain");
    createTable(url);
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      st.execute("CREATE USER 'plain'@'%' IDENTIFIED BY 'pw'");
      st.execute("GRANT ALL ON plain.* TO 'plain'@'%'");
    }
    String before = binlogPos(url);
    String plainUrl = "jdbc:mariadb://127.0.0.1:" + byDefault.port() + "/plain?user=plain&password=pw";
    try (Connection c = DriverManager.getConnection(plainUrl)) {
      MariaDbDialect.INSTANCE.prepareSession(c, false, "r1");
      assertThat(sessionValue(c, "@@sql_log_bin")).isEqualTo("1");
      insertAndCommit(c);
    }
    assertThat(binlogPos(url)).isNotEqualTo(before);
  }

  @Test
  void aStatementBinlogIsRefusedOnlyWhereFerrysWritesWouldGoToIt() throws Exception {
    String logged = logsReplica.createDatabase("stmt");
    String quiet = byDefault.createDatabase("stmt");
    setFormat(logged, "STATEMENT");
    setFormat(quiet, "STATEMENT");
    try (Connection c = DriverManager.getConnection(logged)) {
      assertThatThrownBy(() -> MariaDbDialect.INSTANCE.prepareSession(c, false, "r1"))
          .isInstanceOf(SQLFeatureNotSupportedException.class)
          .hasMessageContaining("r1").hasMessageContaining("binlog_format=STATEMENT")
          .hasMessageContaining("set binlog_format=MIXED or ROW");
    }
    createTable(quiet);
    try (Connection c = DriverManager.getConnection(quiet)) {
      MariaDbDialect.INSTANCE.prepareSession(c, false, "r1");
      insertAndCommit(c); // not binlogged: READ COMMITTED is fine
    } finally {
      setFormat(logged, "MIXED");
      setFormat(quiet, "MIXED");
    }
  }

  private static void createTable(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY)");
    }
  }

  private static void insertAndCommit(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO t VALUES (1)");
    }
    c.commit();
  }

  private static void setFormat(String url, String format) throws SQLException {
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      st.execute("SET GLOBAL binlog_format = '" + format + "'");
    }
  }

  private static String binlogPos(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      return sessionValue(c, "@@gtid_binlog_pos");
    }
  }

  private static String sessionValue(Connection c, String expression) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + expression)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
