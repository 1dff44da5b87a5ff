package dev.ferry.apply.jdbc;

import dev.ferry.apply.ConnectionSource;
import dev.ferry.testkit.SqliteDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class SqliteProgressChecksumTest extends ProgressChecksumContract {
  private SqliteDatabase db;

  @BeforeEach
  void freshDatabase() throws Exception {
    db = SqliteDatabase.create();
  }

  @AfterEach
  void removeDatabase() throws Exception {
    db.close();
  }

  @Override
  ConnectionSource target() {
    return db::connect;
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
