package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteControlTablesTest extends ControlTablesContract {
  @RegisterExtension final FreshSqliteTarget sqlite = new FreshSqliteTarget();

  @Override
  ConnectionSource target() {
    return sqlite.target();
  }

  @Override
  String expectedProgressTable() {
    return "ferry_replication_control";
  }

  @Override
  String timeLiteral() {
    return "'2026-01-02T03:04:05Z'";
  }
}
