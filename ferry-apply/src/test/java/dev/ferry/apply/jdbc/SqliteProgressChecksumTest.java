package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteProgressChecksumTest extends ProgressChecksumContract {
  @RegisterExtension final FreshSqliteTarget sqlite = new FreshSqliteTarget();

  @Override
  ConnectionSource target() {
    return sqlite.target();
  }

  @Override
  List<String> oldProgressTable() {
    return List.of("""
        CREATE TABLE ferry_replication_control (source TEXT PRIMARY KEY, applied_gtids TEXT NOT NULL,
          journal_position TEXT, schema_sequence INTEGER, last_commit_time TEXT,
          updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
        "INSERT INTO ferry_replication_control (source, applied_gtids) VALUES ('src-1', '')");
  }

  @Override
  String accountsDdl() {
    return "CREATE TABLE accounts (id INTEGER PRIMARY KEY, n INTEGER, note TEXT)";
  }
}
