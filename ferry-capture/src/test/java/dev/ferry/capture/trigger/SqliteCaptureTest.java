package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SqliteCaptureTest {
  private SqliteDatabase db;
  private Connection app;
  private final MemorySink sink = new MemorySink();

  @BeforeEach
  void createDatabase() throws Exception {
    db = SqliteDatabase.create();
    app = db.connect();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    app.close();
    db.close();
  }

  private SqliteCapture capture() throws Exception {
    return SqliteCapture.open(SqliteSourceConfig.of("lite", db.jdbcUrl()), sink);
  }

  private void sql(String... statements) throws Exception {
    try (Statement st = app.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private List<Change> changes() {
    return sink.transactions().stream().flatMap(t -> t.changes().stream()).toList();
  }

  @Test
  void journalsEveryStorageClassExactly() throws Exception {
    sql("CREATE TABLE kinds (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, any_ ANY)");
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    String huge = "ü€𝄞".repeat(10 * 1024 * 1024 / 9);
    byte[] hugeBlob = new byte[10 * 1024 * 1024];
    new java.util.SplittableRandom(1).nextBytes(hugeBlob);
    try (SqliteCapture capture = capture();
        PreparedStatement ps = app.prepareStatement("INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?)")) {
      Object[][] rows = {
          {1, Long.MIN_VALUE, 0.1, "", all, null},
          {2, Long.MAX_VALUE, Double.MAX_VALUE, " ", new byte[0], 42L},
          {3, 0L, Double.MIN_VALUE, null, null, "text in ANY"},
          {4, -1L, Double.POSITIVE_INFINITY, "日本語 'quoted' \"double\" \n\t\\", null, 1.5},
          {5, null, Double.NEGATIVE_INFINITY, huge, hugeBlob, new byte[] {0}},
          {6, 7L, -0.0, "NaN next", null, null},
          {7, 8L, 1.0000000000000002, "x", null, null},
      };
      for (Object[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          ps.setObject(i + 1, row[i]);
        }
        ps.executeUpdate();
      }
      sql("INSERT INTO kinds(id, r) VALUES (8, 0.0/0.0)"); // SQLite stores NaN as NULL
      capture.poll();
    }
    List<Change> changes = changes();
    assertThat(changes).hasSize(8).allMatch(c -> c instanceof Change.Insert);
    List<List<Value>> expected = valuesAsStored("SELECT * FROM kinds ORDER BY id");
    assertThat(changes.stream().map(c -> ((Change.Insert) c).row()).toList()).isEqualTo(expected);
    Change.Insert first = (Change.Insert) changes.getFirst();
    assertThat(first.row().get(3)).isEqualTo(new Value.Text(""));
    assertThat(first.row().get(5)).isEqualTo(Value.NULL);
    assertThat(first.row().get(4)).isEqualTo(new Value.Bytes(all));
    assertThat(((Change.Insert) changes.get(4)).row().get(3)).isEqualTo(new Value.Text(huge));
    assertThat(first.columns()).extracting(Column::typeName).containsExactly("INTEGER", "INTEGER", "REAL", "TEXT",
        "BLOB", "ANY");
    assertThat(first.columns()).extracting(Column::logicalType).containsExactly(LogicalType.INT64,
        LogicalType.INT64, LogicalType.FLOAT64, LogicalType.TEXT, LogicalType.BYTES, LogicalType.DECIMAL);
  }

  /** Reads rows with SQLite's own typing, the way a test can know independently of Ferry's encoding. */
  private List<List<Value>> valuesAsStored(String query) throws Exception {
    List<List<Value>> rows = new ArrayList<>();
    try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery(query)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Value> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object o = rs.getObject(i);
          row.add(switch (o) {
            case null -> Value.NULL;
            case Integer v -> new Value.Int64(v);
            case Long v -> new Value.Int64(v);
            case Double v -> new Value.Float64(v);
            case String v -> new Value.Text(v);
            case byte[] v -> new Value.Bytes(v);
            default -> throw new AssertionError("unexpected " + o.getClass());
          });
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void capturesUpdatesAndDeletesWithTheWholeOldRow() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    try (SqliteCapture capture = capture()) {
      sql("UPDATE t SET v = 'A', id = 10 WHERE id = 1", "DELETE FROM t WHERE id = 2");
      capture.poll();
    }
    TableId t = new TableId("main", "t");
    List<Column> cols = List.of(new Column("id", "INTEGER", 0, LogicalType.INT64),
        new Column("v", "TEXT", 0, LogicalType.TEXT));
    assertThat(changes()).containsExactly(
        new Change.Update(t, cols, Change.OldImage.FULL, List.of(new Value.Int64(1), new Value.Text("a")),
            List.of(new Value.Int64(10), new Value.Text("A"))),
        new Change.Delete(t, cols, Change.OldImage.FULL, List.of(new Value.Int64(2), new Value.Text("b"))));
  }

  @Test
  void rolledBackTransactionsNeverShowUp() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    try (SqliteCapture capture = capture()) {
      sql("BEGIN", "INSERT INTO t VALUES (1, 'rolled back')", "ROLLBACK", "INSERT INTO t VALUES (2, 'kept')");
      sql("BEGIN", "INSERT INTO t VALUES (3, 'kept too')", "SAVEPOINT s", "INSERT INTO t VALUES (4, 'undone')",
          "ROLLBACK TO s", "COMMIT");
      capture.poll();
    }
    assertThat(changes()).extracting(c -> ((Change.Insert) c).row().getFirst())
        .containsExactly(new Value.Int64(2), new Value.Int64(3));
  }

  @Test
  void capturesTablesOfEveryKeyKind() throws Exception {
    sql("CREATE TABLE ipk (id INTEGER PRIMARY KEY, v TEXT)",
        "CREATE TABLE composite (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b))",
        "CREATE TABLE nokey (v TEXT, w INTEGER)",
        "CREATE TABLE wr (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID",
        "CREATE TABLE \"odd \"\"name\"\" ü\" (\"col 1\" TEXT, \"Col'2\" INTEGER)");
    try (SqliteCapture capture = capture()) {
      sql("INSERT INTO ipk VALUES (1, 'x')", "INSERT INTO composite VALUES ('a', 1, 'x')",
          "INSERT INTO nokey VALUES ('dup', 1), ('dup', 1)", "DELETE FROM nokey WHERE rowid = 1",
          "INSERT INTO wr VALUES ('k', x'00')", "UPDATE wr SET v = x'01'",
          "INSERT INTO \"odd \"\"name\"\" ü\" VALUES ('v', 2)");
      capture.poll();
    }
    assertThat(changes()).extracting(c -> c.getClass().getSimpleName() + " " + table(c)).containsExactly(
        "Insert main.ipk", "Insert main.composite", "Insert main.nokey", "Insert main.nokey", "Delete main.nokey",
        "Insert main.wr", "Update main.wr", "Insert main.\"odd \"\"name\"\" ü\"");
  }

  private static String table(Change c) {
    return switch (c) {
      case Change.Insert i -> i.table().toString();
      case Change.Update u -> u.table().toString();
      case Change.Delete d -> d.table().toString();
      default -> c.toString();
    };
  }

  @Test
  void refusesAVirtualTableAtSetupNamingItAndWhy() throws Exception {
    sql("CREATE VIRTUAL TABLE docs USING fts5(body)", "CREATE TABLE fine (id INTEGER PRIMARY KEY)");
    assertThatThrownBy(this::capture)
        .isInstanceOf(CaptureException.class)
        .hasMessageContaining("[source lite]")
        .hasMessageContaining("main.docs")
        .hasMessageContaining("virtual table")
        .hasMessageContaining("tables.exclude");
    try (Statement st = app.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_ferry%' ESCAPE '\\'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("nothing installed after a refusal").isZero();
    }
  }

  @Test
  void capturesTheRowsReplaceIntoDeletesWhenRecursiveTriggersAreOn() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'old')");
    try (SqliteCapture capture = capture()) {
      sql("PRAGMA recursive_triggers = ON", "REPLACE INTO t VALUES (1, 'new')");
      capture.poll();
    }
    assertThat(changes()).extracting(c -> c.getClass().getSimpleName()).containsExactly("Delete", "Insert");
  }

  @Test
  void journalsAnAddedColumnInOrderWithTheRowsAroundIt() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    try (SqliteCapture capture = capture()) {
      sql("INSERT INTO t VALUES (1, 'before')", "ALTER TABLE t ADD COLUMN extra INTEGER NOT NULL DEFAULT 7",
          "INSERT INTO t VALUES (2, 'after', 42)", "UPDATE t SET extra = 8 WHERE id = 1");
      capture.poll();
      sql("INSERT INTO t VALUES (3, 'later', 43)");
      capture.poll();
    }
    List<Transaction> txs = sink.transactions();
    assertThat(txs).hasSize(2);
    List<Change> first = txs.getFirst().changes();
    assertThat(first).hasSize(4);
    assertThat(((Change.Insert) first.get(0)).row()).containsExactly(new Value.Int64(1), new Value.Text("before"));
    assertThat(first.get(1)).isEqualTo(
        new Change.Ddl("ALTER TABLE \"t\" ADD COLUMN \"extra\" INTEGER NOT NULL DEFAULT 7", "main", 1));
    assertThat(((Change.Insert) first.get(2)).row())
        .containsExactly(new Value.Int64(2), new Value.Text("after"), new Value.Int64(42));
    assertThat(((Change.Update) first.get(3)).row())
        .containsExactly(new Value.Int64(1), new Value.Text("before"), new Value.Int64(8));
    assertThat(txs.getFirst().schemaSequence()).isEqualTo(1);
    assertThat(((Change.Insert) txs.get(1).changes().getFirst()).row())
        .containsExactly(new Value.Int64(3), new Value.Text("later"), new Value.Int64(43));
  }

  @Test
  void picksUpANewTableWithTheRowsItAlreadyHas() throws Exception {
    try (SqliteCapture capture = capture()) {
      sql("CREATE TABLE born (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO born VALUES (1, 'first')");
      capture.poll();
      sql("INSERT INTO born VALUES (2, 'second')");
      capture.poll();
    }
    List<Change> changes = changes();
    assertThat(changes.getFirst()).isInstanceOf(Change.Ddl.class);
    assertThat(((Change.Ddl) changes.getFirst()).command()).startsWith("CREATE TABLE born");
    assertThat(changes.subList(1, 3)).extracting(c -> ((Change.Insert) c).row().getFirst())
        .containsExactly(new Value.Int64(1), new Value.Int64(2));
  }

  @Test
  void writesABigGroupInChunks() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    try (SqliteCapture capture = SqliteCapture.open(
        SqliteSourceConfig.of("lite", db.jdbcUrl()).withChunkChanges(1000), sink)) {
      sql("BEGIN");
      try (PreparedStatement ps = app.prepareStatement("INSERT INTO t VALUES (?, 'row')")) {
        for (int i = 1; i <= 5500; i++) {
          ps.setInt(1, i);
          ps.executeUpdate();
        }
      }
      sql("COMMIT");
      assertThat(capture.poll()).isEqualTo(5500);
    }
    assertThat(sink.chunks()).isGreaterThanOrEqualTo(5);
    assertThat(sink.transactions()).hasSize(1);
    assertThat(sink.transactions().getFirst().changes()).hasSize(5500);
  }

  @Test
  void resumesAfterTheJournalsLastChangeWithoutDuplicates() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    try (SqliteCapture capture = capture()) {
      sql("INSERT INTO t VALUES (1)");
      capture.poll();
    }
    // Journaled change rows may still be there (deleted later, or a crash came first): make sure.
    long journaled = sink.transactions().getLast().sourcePosition().value();
    sql("INSERT OR IGNORE INTO _ferry_changes(id, tbl, op, sv, new_row) VALUES (" + journaled
        + ", 't', 'I', (SELECT value FROM _ferry_state WHERE key = 'schema_version'), '[[\"integer\",\"1\"]]')");
    sql("INSERT INTO t VALUES (2)");
    try (SqliteCapture capture = capture()) {
      capture.poll();
    }
    assertThat(changes()).extracting(c -> ((Change.Insert) c).row().getFirst())
        .containsExactly(new Value.Int64(1), new Value.Int64(2));
    assertThat(sink.transactions()).extracting(Transaction::gtid).containsExactly(new Gtid(0, 1, 1), new Gtid(0, 1, 2));
    assertThat(sink.transactions().getLast().sourcePosition().kind()).isEqualTo(SourcePosition.Kind.CHANGE_ID);
  }

  @Test
  void teardownRemovesEveryFerryObject() throws Exception {
    sql("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    capture().close();
    try (Connection c = db.connect()) {
      SqliteSetup.teardown(c);
    }
    try (Statement st = app.createStatement();
        ResultSet rs = st.executeQuery("SELECT group_concat(name) FROM sqlite_schema WHERE name LIKE '%ferry%'")) {
      rs.next();
      assertThat(rs.getString(1)).isNull();
    }
  }
}
