package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ferry's MariaDB sessions run at READ COMMITTED, where InnoDB refuses writes into a binlog in
 * {@code STATEMENT} format: such a target is refused before the first transaction with an error
 * naming the replica and the setting; with MariaDB's default ({@code MIXED}) the session is at
 * READ COMMITTED. Its own server: the test changes a global setting.
 */
class StatementBinlogRefusedTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Test
  void aStatementBinlogTargetIsRefusedAndOtherwiseSessionsRunAtReadCommitted() throws Exception {
    String url = mariadb.server().createDatabase("stmt");
    try (Connection c = DriverManager.getConnection(url)) {
      MariaDbDialect.INSTANCE.prepareSession(c, false, "r1");
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@tx_isolation")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("READ-COMMITTED");
      }
    }
    try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
      st.execute("SET GLOBAL binlog_format = 'STATEMENT'");
    }
    try (Connection c = DriverManager.getConnection(url)) {
      assertThatThrownBy(() -> MariaDbDialect.INSTANCE.prepareSession(c, false, "r1"))
          .isInstanceOf(SQLFeatureNotSupportedException.class)
          .hasMessageContaining("r1").hasMessageContaining("binlog_format=STATEMENT")
          .hasMessageContaining("set binlog_format=MIXED or ROW");
    } finally {
      try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
        st.execute("SET GLOBAL binlog_format = 'MIXED'");
      }
    }
  }
}
