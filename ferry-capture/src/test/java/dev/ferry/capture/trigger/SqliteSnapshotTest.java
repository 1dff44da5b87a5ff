package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The snapshot of a SQLite source that seeds a replica: taken where a poll ends (no writer commits
 * while the hand-over waits), its rows exact per storage class, and blind to what commits later.
 */
@Timeout(120)
class SqliteSnapshotTest {
  private SqliteDatabase db;
  private Connection app;
  private SqliteSourceConfig config;

  @BeforeEach
  void createDatabase() throws Exception {
    db = SqliteDatabase.create();
    app = db.connect();
    config = SqliteSourceConfig.of("lite", db.jdbcUrl());
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT NOT NULL, b BLOB)",
        "INSERT INTO t VALUES (1, 42, 1.5, 'one', x'00ff')", "INSERT INTO t VALUES (2, NULL, NULL, '', NULL)");
  }

  @AfterEach
  void dropDatabase() throws Exception {
    app.close();
    db.close();
  }

  private void sql(String... statements) throws SQLException {
    try (Statement st = app.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  @Test
  void standsWhereAPollEndsWithWritersHeldAndSeesNothingCommittedLater() throws Exception {
    try (SqliteCapture capture = SqliteCapture.open(config, new MemorySink())) {
      sql("INSERT INTO t VALUES (3, 3, 3.0, 'three', x'03')");
      capture.poll();
      List<SourcePosition> seen = new ArrayList<>();
      try (SqliteSnapshot snapshot = SqliteSnapshot.create(config, Duration.ofSeconds(10), (at, wait) -> {
        seen.add(at);
        if (seen.size() == 2) { // the first wait is before the lock, the second under it
          assertThatThrownBy(() -> sql("PRAGMA busy_timeout = 0", "INSERT INTO t VALUES (9, 9, 9, 'nine', NULL)"))
              .as("a writer while the lock is held").isInstanceOf(SQLException.class).hasMessageContaining("lock");
        }
      })) {
        sql("PRAGMA busy_timeout = 5000", "INSERT INTO t VALUES (4, 4, 4.0, 'after', NULL)");
        assertThat(snapshot.position()).isEqualTo(SourcePosition.changeId(1));
        assertThat(seen).containsExactly(SourcePosition.changeId(1), SourcePosition.changeId(1));
        SourceTable table = snapshot.tables().getFirst();
        assertThat(table.primaryKey()).containsExactly("id");
        assertThat(table.columns().stream().filter(SourceTable.SourceColumn::notNull)
            .map(SourceTable.SourceColumn::name)).containsExactly("s");
        assertThat(table.estimatedRows()).isEqualTo(3);
        List<List<Value>> rows = new ArrayList<>();
        assertThat(snapshot.read(table, rows::add)).isEqualTo(3);
        assertThat(rows).containsExactly(
            List.of(new Value.Int64(1), new Value.Int64(42), new Value.Float64(1.5), new Value.Text("one"),
                new Value.Bytes(new byte[] {0, (byte) 0xff})),
            List.of(new Value.Int64(2), Value.NULL, Value.NULL, new Value.Text(""), Value.NULL),
            List.of(new Value.Int64(3), new Value.Int64(3), new Value.Float64(3.0), new Value.Text("three"),
                new Value.Bytes(new byte[] {3})));
      }
    }
  }

  @Test
  void refusesWhenCaptureWasNeverInstalled() {
    assertThatThrownBy(() -> SqliteSnapshot.create(config, Duration.ofMillis(300), (at, wait) -> { }))
        .isInstanceOf(CaptureException.class).hasMessageContaining("is capture running for this source?");
  }
}
