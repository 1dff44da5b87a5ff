package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static dev.ferry.capture.postgres.PgTest.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.PostgresClusterExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(120)
class PostgresStreamingTest {
  private static final TableId ITEMS = new TableId("public", "items");
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  private static Value text(String s) {
    return new Value.Text(s);
  }

  @Test
  void updatesCarryOldImagesAndMarkUnchangedToastValues() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "upd");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY, small text, big text)",
        "ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL",
        "CREATE TABLE wide (a int, b text)", "ALTER TABLE wide REPLICA IDENTITY FULL");
    PostgresSetup.setup(config);
    String big = "y".repeat(100_000);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      exec(config, "INSERT INTO items VALUES (1, 'a', repeat('y', 100000))",
          "UPDATE items SET small = 'b' WHERE id = 1",
          "UPDATE items SET id = 2 WHERE id = 1",
          "DELETE FROM items WHERE id = 2",
          "INSERT INTO wide VALUES (1, 'w')", "UPDATE wide SET b = NULL", "DELETE FROM wide",
          "TRUNCATE items, wide RESTART IDENTITY");

      List<Transaction> txs = capturing.awaitTransactions(8);
      List<Column> columns = ((Change.Insert) txs.get(0).changes().get(0)).columns();
      assertThat(txs.get(0).changes()).containsExactly(new Change.Insert(ITEMS, columns, List.of(text("1"), text("a"), text(big))));
      assertThat(txs.get(1).changes()).containsExactly(new Change.Update(ITEMS, columns, Change.OldImage.NONE, List.of(),
          List.of(text("1"), text("b"), Value.UNCHANGED)));
      assertThat(txs.get(2).changes()).containsExactly(new Change.Update(ITEMS, columns, Change.OldImage.KEY,
          List.of(text("1"), Value.NULL, Value.NULL), List.of(text("2"), text("b"), Value.UNCHANGED)));
      assertThat(txs.get(3).changes()).containsExactly(new Change.Delete(ITEMS, columns, Change.OldImage.KEY,
          List.of(text("2"), Value.NULL, Value.NULL)));
      Change.Update full = (Change.Update) txs.get(5).changes().get(0);
      assertThat(full.oldImage()).isEqualTo(Change.OldImage.FULL);
      assertThat(full.old()).containsExactly(text("1"), text("w"));
      assertThat(full.row()).containsExactly(text("1"), Value.NULL);
      assertThat(((Change.Delete) txs.get(6).changes().get(0)).oldImage()).isEqualTo(Change.OldImage.FULL);
      assertThat(txs.get(7).changes()).containsExactly(
          new Change.Truncate(List.of(ITEMS, new TableId("public", "wide")), false, true));
    }
  }

  @Test
  void transactionsArriveInCommitOrderWithConsecutiveGtidsAndCommitLsns() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "order").withGtid(7, 3);
    exec(config, "CREATE TABLE items (id int PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      for (int i = 1; i <= 20; i++) {
        tx(config, "INSERT INTO items VALUES (" + i + ", 'a')", "UPDATE items SET v = 'b' WHERE id = " + i);
      }
      List<Transaction> txs = capturing.awaitTransactions(20);
      for (int i = 0; i < 20; i++) {
        Transaction t = txs.get(i);
        assertThat(t.gtid()).isEqualTo(new Gtid(7, 3, i + 1));
        assertThat(t.changes()).hasSize(2);
        assertThat(((Change.Insert) t.changes().get(0)).row().get(0)).isEqualTo(text(String.valueOf(i + 1)));
        if (i > 0) {
          assertThat(t.sourcePosition()).isGreaterThan(txs.get(i - 1).sourcePosition());
          assertThat(t.commitTime()).isAfterOrEqualTo(txs.get(i - 1).commitTime());
        }
      }
    }
  }

  @Test
  void largeTransactionIsWrittenInChunksAndKeepsItsOrder() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "large").withChunking(100, 1 << 20);
    exec(config, "CREATE TABLE items (id int PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink)) {
      exec(config, "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 1050) g");
      Transaction t = capturing.awaitTransactions(1).getFirst();
      assertThat(t.changes()).hasSize(1050);
      for (int i = 0; i < 1050; i++) {
        assertThat(((Change.Insert) t.changes().get(i)).row().get(0)).isEqualTo(text(String.valueOf(i + 1)));
      }
      assertThat(sink.chunks()).isGreaterThanOrEqualTo(10);
    }
  }

  @Test
  void sequenceValuesTravelWithTheTransactionsThatUseThem() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "seq");
    exec(config, "CREATE TABLE items (id bigserial PRIMARY KEY, v text)",
        "CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      exec(config, "INSERT INTO items (v) SELECT 'x' FROM generate_series(1, 5)",
          "SELECT nextval('items_id_seq')", "INSERT INTO ident DEFAULT VALUES");
      List<Transaction> txs = capturing.awaitTransactions(2);
      // Read when capture sees the commit: at or above the value the transaction used.
      Change.SequenceAdvance items = (Change.SequenceAdvance) txs.get(0).changes().getLast();
      assertThat(items.sequence()).isEqualTo(new TableId("public", "items_id_seq"));
      assertThat(items.value()).isBetween(5L, 6L);
      assertThat(txs.get(1).changes().getLast())
          .isEqualTo(new Change.SequenceAdvance(new TableId("public", "ident_id_seq"), 1));
    }
  }

  @Test
  void aTransactionTouchingManyTablesCarriesEachSequenceOnceInFirstTouchOrder() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "many");
    int tables = 20; // more than the builder tracks without a set
    String[] ddl = new String[tables];
    String[] inserts = new String[2 * tables];
    for (int i = 0; i < tables; i++) {
      int t = tables - i; // tables created in reverse order: relation ids are not the touch order
      ddl[i] = "CREATE TABLE t" + t + " (id bigserial PRIMARY KEY)";
    }
    for (int i = 0; i < tables; i++) {
      inserts[2 * i] = "INSERT INTO t" + (i + 1) + " DEFAULT VALUES";
      inserts[2 * i + 1] = "INSERT INTO t" + (i / 2 + 1) + " DEFAULT VALUES"; // touched again
    }
    exec(config, ddl);
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      tx(config, inserts);
      Transaction t = capturing.awaitTransactions(1).getFirst();
      assertThat(Capturing.rowChanges(t)).hasSize(2 * tables);
      List<TableId> sequences = t.changes().stream().filter(c -> c instanceof Change.SequenceAdvance)
          .map(c -> ((Change.SequenceAdvance) c).sequence()).toList();
      List<TableId> expected = new java.util.ArrayList<>();
      for (int i = 1; i <= tables; i++) {
        expected.add(new TableId("public", "t" + i + "_id_seq"));
      }
      assertThat(sequences).isEqualTo(expected);
    }
  }

  @Test
  void ddlArrivesAtItsPlaceInsideItsTransactionAndTheNewColumnIsPickedUp() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "ddl");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      tx(config, "SET LOCAL search_path = public, pg_catalog",
          "INSERT INTO items VALUES (1, 'before')",
          "ALTER TABLE items ADD COLUMN extra numeric(5,2) DEFAULT 1.5",
          "INSERT INTO items VALUES (2, 'after', 2.25)");
      exec(config, "DROP TABLE IF EXISTS nothing_here", "INSERT INTO items VALUES (3, 'later', NULL)");

      List<Transaction> txs = capturing.awaitTransactions(3);
      Transaction t = txs.get(0);
      assertThat(t.changes()).hasSize(3);
      Change.Insert before = (Change.Insert) t.changes().get(0);
      Change.Ddl ddl = (Change.Ddl) t.changes().get(1);
      Change.Insert after = (Change.Insert) t.changes().get(2);
      assertThat(before.columns()).extracting(Column::name).containsExactly("id", "v");
      assertThat(ddl).isEqualTo(new Change.Ddl("ALTER TABLE items ADD COLUMN extra numeric(5,2) DEFAULT 1.5",
          "public, pg_catalog", 1));
      assertThat(after.columns()).containsExactly(new Column("id", "integer", 23, LogicalType.INT32),
          new Column("v", "text", 25, LogicalType.TEXT), new Column("extra", "numeric(5,2)", 1700, LogicalType.DECIMAL));
      assertThat(after.row()).containsExactly(text("2"), text("after"), text("2.25"));
      assertThat(t.schemaSequence()).isEqualTo(1);
      assertThat(txs.get(1).changes()).containsExactly(
          new Change.Ddl("DROP TABLE IF EXISTS nothing_here", "\"$user\", public", 2));
      assertThat(txs.get(2).schemaSequence()).isEqualTo(2);
    }
  }
}
