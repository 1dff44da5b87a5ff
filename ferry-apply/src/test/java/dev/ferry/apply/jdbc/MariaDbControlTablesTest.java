package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbControlTablesTest extends ControlTablesContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase("control" + DATABASES.incrementAndGet()));
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    url = u.toString();
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
