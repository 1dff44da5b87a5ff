package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.deleteFull;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.txAt;
import static dev.ferry.journal.fixtures.Transactions.updateFull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConflictException;
import dev.ferry.apply.ConflictPolicy;
import dev.ferry.apply.ConflictType;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresApplierTest extends ApplierContractTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    url = postgres.cluster().createDatabase("target" + DATABASES.incrementAndGet());
  }

  @Override
  ConnectionSource target() {
    return () -> DriverManager.getConnection(url);
  }

  @Override
  String sqlName(TableId table) {
    return "\"" + table.schema() + "\".\"" + table.name().replace("\"", "\"\"") + "\"";
  }

  @Override
  String conflictsTable() {
    return "_ferry.conflicts";
  }

  @Override
  void createSequence(TableId seq) throws SQLException {
    exec("CREATE SEQUENCE " + sqlName(seq));
  }

  @Override
  long sequenceValue(TableId seq) throws SQLException {
    return Long.parseLong(rows("SELECT last_value FROM " + sqlName(seq)).getFirst());
  }

  @Test
  void postgresTypesRoundTripExactly() throws Exception {
    exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TABLE typed (id int PRIMARY KEY, num numeric(30,10), ts timestamptz, iv interval, arr int[],"
            + " tarr text[], js json, jb jsonb, bin bytea, u uuid, m mood, f8 float8, f4 float4, d date, b boolean)");
    List<Column> columns = cols("id:int4", "num:numeric", "ts:timestamptz", "iv:interval", "arr:_int4", "tarr:_text",
        "js:json", "jb:jsonb", "bin:bytea", "u:uuid", "m:mood", "f8:float8", "f4:float4", "d:date", "b:bool");
    List<String> values = List.of("1", "12345678901234567890.0123456789", "2024-02-29 23:59:59.123456+00",
        "1 year 2 mons 3 days 04:05:06.789", "{1,NULL,3}", "{\"a b\",\"c,d\",\"\\\"q\\\"\"}",
        "{\"b\": 1,   \"a\": [1, 2]}", "{\"a\": [1, 2], \"b\": 1}", "\\xdeadbeef00ff",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "happy", "0.1", "1.5", "2024-02-29", "t");
    TableId typed = table("typed");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(tx(1, new Change.Insert(typed, columns, row(values.toArray())))).iterator());
    }
    exec("SET TIME ZONE 'UTC'");
    try (Connection c = target().connect(); var st = c.createStatement()) {
      st.execute("SET TIME ZONE 'UTC'");
      var rs = st.executeQuery("SELECT id::text, num::text, ts::text, iv::text, arr::text, tarr::text, js::text,"
          + " jb::text, bin::text, u::text, m::text, f8::text, f4::text, d::text, b FROM typed");
      rs.next();
      List<String> back = new ArrayList<>();
      for (int i = 1; i <= values.size(); i++) {
        back.add(rs.getString(i));
      }
      assertThat(back).isEqualTo(values);
    }
    // A keyless row with a json column is still found by its full old row (json has no '=').
    exec("CREATE TABLE docs (js json, n numeric)");
    TableId docs = table("docs");
    List<Column> docCols = cols("js:json", "n:numeric");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(2, insert(docs, docCols, "{\"x\":  1}", "1.50"), insert(docs, docCols, "{\"x\":  1}", "1.50")),
          tx(3, updateFull(docs, docCols, row("{\"x\":  1}", "1.50"), "{\"x\": 2}", "2.0")),
          tx(4, deleteFull(docs, docCols, "{\"x\":  1}", "1.50"))).iterator());
    }
    assertThat(rows("SELECT js::text, n::text FROM docs")).containsExactly("{\"x\": 2}|2.0");
  }

  @Test
  void nonTextValuesBindWithTheirOwnTypes() throws Exception {
    exec("CREATE TABLE native (id bigint PRIMARY KEY, f float8, b bytea, n numeric)");
    List<Column> columns = cols("id:int8", "f:float8", "b:bytea", "n:numeric");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(tx(1, new Change.Insert(table("native"), columns, List.of(new Value.Int64(7),
          new Value.Float64(-0.0), new Value.Bytes(new byte[] {1, 2}), new Value.Int64(42))))).iterator());
    }
    assertThat(rows("SELECT id, f::text, b::text, n FROM native")).containsExactly("7|-0|\\x0102|42");
  }

  @Test
  void longRunsOfInsertsUseCopyAndFallBackRowByRowOnAConflict() throws Exception {
    createAccounts();
    List<Change> inserts = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      inserts.add(insert(ACCOUNTS, ACCOUNT_COLS, i, i, i % 7 == 0 ? null : "tab\there\\ and\nnewline " + i));
    }
    try (Applier applier = open(config())) {
      applier.apply(tx(1, inserts.toArray(Change[]::new)));
      applier.flush();
    }
    assertThat(rows("SELECT count(*), sum(n) FROM accounts")).containsExactly("500|125250");
    assertThat(rows("SELECT note FROM accounts WHERE id IN (3, 7) ORDER BY id"))
        .containsExactly("tab\there\\ and\nnewline 3", "null");
    // The second run overlaps the first at id 500: COPY fails, the row-by-row replay names the conflict.
    List<Change> overlapping = new ArrayList<>();
    for (int i = 500; i < 600; i++) {
      overlapping.add(insert(ACCOUNTS, ACCOUNT_COLS, i, i, "second"));
    }
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.apply(tx(2, overlapping.toArray(Change[]::new))))
          .isInstanceOf(ConflictException.class)
          .hasMessage("[replica r1] cannot apply 0-1-2 to public.accounts: row (id=500) already exists for INSERT"
              + " (insert_exists)");
    }
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.apply(tx(2, overlapping.toArray(Change[]::new)));
      applier.flush();
      assertThat(applier.conflictCounts()).containsEntry(ConflictType.INSERT_EXISTS, 1L);
    }
    assertThat(rows("SELECT count(*) FROM accounts")).containsExactly("599");
  }

  @Test
  void ddlRunsAtItsPlaceWithItsSearchPathAndAdvancesTheSchemaSequence() throws Exception {
    exec("CREATE SCHEMA app");
    TableId items = new TableId("app", "items");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          txAt(1, 7, new Change.Ddl("CREATE TABLE items (id int PRIMARY KEY, name text)", "app, public", 7),
              insert(items, cols("id:int4", "name:text"), 1, "one")),
          txAt(2, 8, new Change.Ddl("ALTER TABLE items ADD COLUMN price numeric", "app", 8),
              insert(items, cols("id:int4", "name:text", "price:numeric"), 2, "two", "9.90"))).iterator());
      assertThat(applier.position().schemaSequence()).hasValue(8);
      assertThatThrownBy(() -> applier.apply(txAt(3, 7, insert(items, cols("id:int4"), 3))))
          .isInstanceOf(SchemaSequenceException.class)
          .hasMessageContaining("schema sequence 7 but the replica is at schema sequence 8");
    }
    assertThat(rows("SELECT id, name, price FROM app.items ORDER BY id")).containsExactly("1|one|null", "2|two|9.90");
    assertThat(rows("SHOW search_path")).containsExactly("\"$user\", public");
  }

  @Test
  void failingDdlStopsWithTheStatementAndNothingOfItsTransaction() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.apply(txAt(1, 2, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a"),
          new Change.Ddl("ALTER TABLE no_such_table ADD COLUMN x int", "public", 2))))
          .isInstanceOf(ApplyException.class)
          .hasMessageContaining("[replica r1] cannot apply 0-1-1")
          .hasMessageContaining("42P01")
          .hasMessageContaining("statement: ALTER TABLE no_such_table ADD COLUMN x int");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.empty());
    }
    assertThat(accounts()).isEmpty();
  }

  @Test
  void lostConnectionIsRetriedAndTheGroupReplayedExactlyOnce() throws Exception {
    createAccounts();
    ApplyConfig retrying = config()
        .withGrouping(new ApplyConfig.Grouping(5, Long.MAX_VALUE, Duration.ofHours(1)))
        .withRetry(new ApplyConfig.Retry(5, Duration.ofMillis(10), Duration.ofMillis(50)));
    List<Transaction> stream = counterStream(12);
    try (Applier applier = open(retrying)) {
      for (Transaction t : stream) {
        applier.apply(t);
        if (t.gtid().seq() == 3 || t.gtid().seq() == 8) {
          terminateFerrySessions();
        }
      }
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:12"));
    }
    assertThat(accounts()).containsExactly("1|12|n=12");
  }

  @Test
  void lockTimeoutIsRetriedUntilTheLockIsFree() throws Exception {
    createAccounts();
    exec("ALTER DATABASE " + databaseName() + " SET lock_timeout = '100ms'");
    ApplyConfig retrying = config().withRetry(new ApplyConfig.Retry(20, Duration.ofMillis(10), Duration.ofMillis(50)));
    try (Connection blocker = postgres.cluster().connect(databaseName())) {
      blocker.setAutoCommit(false);
      blocker.createStatement().execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
      Thread releaser = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(400);
          blocker.rollback();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (Applier applier = open(retrying)) {
        applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
        applier.flush();
      }
      releaser.join();
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

  @Test
  void serializationFailureIsRetried() throws Exception {
    createAccounts();
    exec("ALTER DATABASE " + databaseName() + " SET default_transaction_isolation = 'repeatable read'");
    ApplyConfig retrying = config().withRetry(new ApplyConfig.Retry(5, Duration.ofMillis(10), Duration.ofMillis(50)));
    try (Applier applier = open(retrying); Connection other = postgres.cluster().connect(databaseName())) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
      other.setAutoCommit(false);
      other.createStatement().execute("UPDATE accounts SET note = 'local' WHERE id = 1");
      Thread committer = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(300);
          other.commit();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // Blocks on the other writer's row lock; when it commits, repeatable read fails with 40001.
      applier.apply(tx(2, Transactions.update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 2, "remote")));
      committer.join();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(accounts()).containsExactly("1|2|remote");
  }

  @Test
  void deadlockIsRetried() throws Exception {
    createAccounts();
    ApplyConfig retrying = config().withRetry(new ApplyConfig.Retry(5, Duration.ofMillis(10), Duration.ofMillis(50)));
    try (Applier applier = open(retrying); Connection other = postgres.cluster().connect(databaseName())) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a"), insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b")));
      other.setAutoCommit(false);
      other.createStatement().execute("SET deadlock_timeout = '10s'"); // the applier detects it, and is the victim
      other.createStatement().execute("UPDATE accounts SET note = 'other' WHERE id = 2");
      Thread crossing = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(200);
          other.createStatement().execute("UPDATE accounts SET note = 'other' WHERE id = 1");
          other.commit();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      applier.apply(tx(2, Transactions.update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 10, "remote"),
          Transactions.update(ACCOUNTS, ACCOUNT_COLS, List.of(), 2, 20, "remote")));
      crossing.join();
    }
    assertThat(accounts()).containsExactly("1|10|remote", "2|20|remote");
  }

  @Test
  void tableWithADeferrableUniqueConstraintTakesInsertsAndReportsKeyConflicts() throws Exception {
    // PostgreSQL refuses deferrable constraints as ON CONFLICT arbiters: the primary key is named instead.
    exec("CREATE TABLE u (id int PRIMARY KEY, v int UNIQUE DEFERRABLE INITIALLY DEFERRED)");
    TableId u = table("u");
    List<Column> columns = cols("id:int4", "v:int4");
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.applyAll(List.of(tx(1, insert(u, columns, 1, 5), insert(u, columns, 2, 6)),
          tx(2, insert(u, columns, 1, 7))).iterator());
      assertThat(applier.conflictCounts()).containsEntry(ConflictType.INSERT_EXISTS, 1L);
    }
    assertThat(rows("SELECT id, v FROM u ORDER BY id")).containsExactly("1|5", "2|6");
  }

  @Test
  void aValueTheTargetRefusesIsNamedByItsColumnNotByItsParameterNumber() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.applyAll(List.of(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, "lots", "x")))
          .iterator()))
          .isInstanceOf(ApplyException.class)
          .hasMessageContaining("0-1-1", "public.accounts", "invalid input syntax for type bigint", "column n")
          .hasMessageNotContaining("parameter $");
    }
  }

  @Test
  void deferrablePrimaryKeyTakesInsertsReportsKeyConflictsAndAKeyShift() throws Exception {
    // PostgreSQL refuses a deferrable key as an ON CONFLICT arbiter: the insert checks for the key instead.
    exec("CREATE TABLE d (id int PRIMARY KEY DEFERRABLE INITIALLY IMMEDIATE, v text)");
    TableId d = table("d");
    List<Column> columns = cols("id:int4", "v:text");
    List<Transaction> stream = new ArrayList<>();
    List<Change> seed = new ArrayList<>();
    for (int id = 1; id <= 200; id++) {
      seed.add(insert(d, columns, id, "v" + id)); // 200 in a group: the set-based batch too
    }
    stream.add(tx(1, seed.toArray(Change[]::new)));
    stream.add(tx(2, insert(d, columns, 2, "again")));
    List<Change> shift = new ArrayList<>();
    for (int id = 1; id <= 200; id++) {
      shift.add(Transactions.update(d, columns, Transactions.row(id, null), id + 1, "v" + id));
    }
    stream.add(tx(3, shift.toArray(Change[]::new)));
    stream.add(tx(4, insert(d, columns, 1, "first")));
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1").withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.applyAll(stream.iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:4"));
      assertThat(applier.conflictCounts()).containsOnly(Map.entry(ConflictType.INSERT_EXISTS, 1L));
    }
    assertThat(rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM d")).containsExactly("201|201|1|201");
    assertThat(rows("SELECT id, v FROM d WHERE id IN (1, 2, 201) ORDER BY id"))
        .containsExactly("1|first", "2|v1", "201|v200");
  }

  @Test
  void readOnlyReplicaRefusesOtherWritersButNotFerry() throws Exception {
    createAccounts();
    try (Applier applier = open(config().withReadOnlyReplica(true))) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
    }
    assertThatThrownBy(() -> exec("INSERT INTO accounts VALUES (2, 2, 'b')")).hasMessageContaining("read-only");
    try (Applier applier = open(config())) {
      applier.apply(tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b")));
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b");
  }

  @Test
  void readOnlyReplicaRefusesALocalWriteAfterTheSessionLiftsTheDefaultAndGuardsTablesCreatedByDdl()
      throws Exception {
    createAccounts();
    try (Applier applier = open(config().withReadOnlyReplica(true))) {
      applier.apply(txAt(1, 1, new Change.Ddl("CREATE TABLE later (id int PRIMARY KEY)", "public", 1)));
      applier.apply(txAt(2, 1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
    }
    for (String write : List.of("INSERT INTO accounts VALUES (2, 2, 'b')", "TRUNCATE accounts",
        "INSERT INTO later VALUES (1)")) {
      assertThatThrownBy(() -> exec("SET default_transaction_read_only = off", write))
          .as(write).isInstanceOf(SQLException.class).hasMessageContaining("replica is read-only")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

  @Test
  void replicaSwitchedToReadWriteLosesItsGuardsAndGetsItsSettingBack() throws Exception {
    createAccounts();
    open(config().withReadOnlyReplica(true)).close();
    open(config()).close();

    exec("INSERT INTO accounts VALUES (2, 2, 'local')");
    assertThat(rows("SELECT count(*) FROM pg_trigger WHERE tgname = 'ferry_read_only'")).containsExactly("0");
    assertThat(rows("SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        + "WHERE d.datname = current_database()")).containsExactly("0");
  }

  private String databaseName() {
    return url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
  }

  private void terminateFerrySessions() throws SQLException {
    try (Connection c = postgres.cluster().connect(); var ps = c.prepareStatement(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, databaseName());
      ps.executeQuery().close();
    }
  }

  @Test
  void unknownTypeNamesFromTheSourceAreNeverSplicedIntoSql() throws Exception {
    createAccounts();
    List<Column> hostile = cols("id:int8); DROP TABLE accounts; --", "n:int8", "note:text");
    try (Applier applier = open(config())) {
      applier.apply(tx(1, insert(ACCOUNTS, hostile, 1, 1, "a")));
      applier.flush();
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

}
