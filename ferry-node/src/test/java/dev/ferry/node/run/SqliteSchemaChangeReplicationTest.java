package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: a table created on a SQLite source, then a column added mid-stream and rows written
 * using it, arrive in order and replicate to a SQLite and a PostgreSQL target.
 */
@Timeout(180)
class SqliteSchemaChangeReplicationTest {
  @TempDir Path dir;

  /** The source's writes, with the node running (its capture streaming). */
  @FunctionalInterface
  private interface Writes {
    void on(FerryNode node, Statement st) throws Exception;
  }

  /** Runs {@code writes} on a SQLite source replicated to a SQLite and a PostgreSQL replica; returns the source's items. */
  private TableDigest replicate(Writes writes) throws Exception {
    try (SqliteDatabase source = SqliteDatabase.create(); SqliteDatabase lite = SqliteDatabase.create();
        PostgresCluster pg = PostgresCluster.start()) {
      String pgUrl = pg.createDatabase("replica");
      NodeSpec spec = new NodeSpec(
          new SourceSpec.Sqlite(SqliteSourceConfig.of("lite-source", source.jdbcUrl()).withIdlePoll(Duration.ofMillis(20))),
          JournalConfig.defaults(dir.resolve("journal")),
          List.of(new ReplicaSpec(ApplyConfig.defaults("lite", "x"), lite.jdbcUrl(), new Properties()),
              new ReplicaSpec(ApplyConfig.defaults("pg", "x"), pgUrl, new Properties())));
      try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of());
          Connection app = source.connect(); Statement st = app.createStatement()) {
        assertThat(node.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
        writes.on(node, st);
        assertThat(node.awaitCaughtUp(Duration.ofSeconds(60))).as("caught up: %s", node.status()).isTrue();
        assertThat(node.failedReplicas()).isEmpty();
      }
      TableDigest expected;
      try (Connection c = source.connect()) {
        expected = TableDigest.of(c, "items");
      }
      try (Connection c = lite.connect()) {
        assertThat(TableDigest.of(c, "items")).isEqualTo(expected);
      }
      try (Connection c = DriverManager.getConnection(pgUrl)) {
        assertThat(TableDigest.of(c, "items")).isEqualTo(expected);
      }
      return expected;
    }
  }

  @Test
  void anAddedColumnReplicatesInOrderToSqliteAndPostgres() throws Exception {
    TableDigest items = replicate((node, st) -> {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
      for (int i = 1; i <= 50; i++) {
        st.execute("INSERT INTO items VALUES (" + i + ", 'before " + i + "')");
      }
      st.execute("BEGIN");
      st.execute("INSERT INTO items VALUES (51, 'same transaction, before')");
      st.execute("ALTER TABLE items ADD COLUMN qty INTEGER NOT NULL DEFAULT 7");
      st.execute("INSERT INTO items VALUES (52, 'same transaction, after', 52)");
      st.execute("COMMIT");
      for (int i = 53; i <= 100; i++) {
        st.execute("INSERT INTO items VALUES (" + i + ", 'after " + i + "', " + i * 10 + ")");
      }
      st.execute("UPDATE items SET qty = qty + 1 WHERE id % 3 = 0");
    });
    assertThat(items.rows()).isEqualTo(100);
  }

  /**
   * The documented way to drop a captured column (docs/sqlite-capture.md): with the table's
   * writers stopped, one transaction drops Ferry's three triggers of the table and the column;
   * capture journals the drop and re-creates the triggers, and later writes replicate again.
   */
  @Test
  void aColumnDroppedTheDocumentedWayReplicatesAndLaterWritesAreCapturedAgain() throws Exception {
    TableDigest items = replicate((node, st) -> {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)");
      for (int i = 1; i <= 20; i++) {
        st.execute("INSERT INTO items VALUES (" + i + ", 'before " + i + "', 'gone " + i + "')");
      }
      assertThat(node.awaitCaughtUp(Duration.ofSeconds(60))).as("caught up: %s", node.status()).isTrue();
      st.execute("BEGIN IMMEDIATE");
      st.execute("DROP TRIGGER _ferry_ins_items");
      st.execute("DROP TRIGGER _ferry_upd_items");
      st.execute("DROP TRIGGER _ferry_del_items");
      st.execute("ALTER TABLE items DROP COLUMN note");
      st.execute("COMMIT");
      assertThat(node.awaitCaughtUp(Duration.ofSeconds(60))).as("caught up: %s", node.status()).isTrue();
      for (int i = 21; i <= 40; i++) {
        st.execute("INSERT INTO items VALUES (" + i + ", 'after " + i + "')");
      }
      st.execute("UPDATE items SET name = name || '!' WHERE id % 3 = 0");
      st.execute("DELETE FROM items WHERE id % 7 = 0");
    });
    assertThat(items.rows()).isEqualTo(35);
  }
}
