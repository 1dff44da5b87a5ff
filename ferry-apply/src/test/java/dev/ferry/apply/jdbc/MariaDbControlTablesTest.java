package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbControlTablesTest extends ControlTablesContract {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    url = MariaDbTargets.fresh(mariadb, "control", "");
  }

  @Override
  ConnectionSource target() {
    return () -> DriverManager.getConnection(url);
  }

  @Override
  String expectedProgressTable() {
    return "ferry_replication_control";
  }

  @Override
  String timeLiteral() {
    return "'2026-01-02 03:04:05'";
  }
}
