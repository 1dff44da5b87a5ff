package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.delete;
import static dev.ferry.journal.fixtures.Transactions.deleteFull;
import static dev.ferry.journal.fixtures.Transactions.gtid;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.txAt;
import static dev.ferry.journal.fixtures.Transactions.update;
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
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What every target dialect must do; run against PostgreSQL and SQLite by the subclasses. */
@Timeout(60)
abstract class ApplierContractTest {
  static final TableId ACCOUNTS = table("accounts");
  static final List<Column> ACCOUNT_COLS = cols("id:int8", "n:int8", "note:text");

  /** A fresh, empty target for this test. */
  abstract ConnectionSource target();

  /** The SQL name a test uses to read {@code table} on this target. */
  abstract String sqlName(TableId table);

  /** Column type to create for {@code pgType} on this target. */
  String type(String pgType) {
    return pgType;
  }

  ApplyConfig config() {
    return ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE);
  }

  Applier open(ApplyConfig config) throws ApplyException {
    return JdbcApplier.open(config, target());
  }

  void exec(String... sql) throws SQLException {
    try (Connection c = target().connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  List<String> rows(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = target().connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder r = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          r.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.add(r.toString());
      }
    }
    return out;
  }

  void createAccounts() throws SQLException {
    exec("CREATE TABLE " + sqlName(ACCOUNTS) + " (id " + type("int8") + " PRIMARY KEY, n " + type("int8")
        + ", note " + type("text") + ")");
  }

  List<String> accounts() throws SQLException {
    return rows("SELECT id, n, note FROM " + sqlName(ACCOUNTS) + " ORDER BY id");
  }

  List<String> conflicts() throws SQLException {
    return rows("SELECT gtid, conflict_type, table_name, row_key, local_row, remote_row, resolution FROM "
        + conflictsTable() + " ORDER BY id");
  }

  @Test
  void quotesEveryIdentifierSafely() throws Exception {
    TableId weird = new TableId("public", "we\"ird tablé; DROP TABLE x --");
    List<Column> columns = cols("Mixed Case:int8", "has space:text", "quo\"te:text", "ünï:text", "select:text");
    exec("CREATE TABLE " + sqlName(weird) + " (\"Mixed Case\" " + type("int8") + " PRIMARY KEY, \"has space\" "
        + type("text") + ", \"quo\"\"te\" " + type("text") + ", \"ünï\" " + type("text") + ", \"select\" "
        + type("text") + ")");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(1, insert(weird, columns, 1, "a b", "it's \"x\"", "é", "s")),
          tx(2, update(weird, columns, List.of(), 1, "c d", Value.UNCHANGED, "ü", "t")),
          tx(3, insert(weird, columns, 2, "x", "y", "z", "w")),
          tx(4, delete(weird, columns, 2, null, null, null, null))).iterator());
    }
    assertThat(rows("SELECT * FROM " + sqlName(weird))).containsExactly("1|c d|it's \"x\"|ü|t");
  }

  @Test
  void ddlThatRanInsideAnotherStatementStopsTheReplicaBeforeItsTransactionUntilSkipDdlIsSet() throws Exception {
    createAccounts();
    Change.Ddl nested = new Change.Ddl("alter table accounts add column c int", "public", 2,
        java.util.Optional.of("do $$ begin alter table accounts add column c int; end $$"));
    List<Transaction> txs = List.of(txAt(1, 1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")),
        txAt(2, 2, nested, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b")), txAt(3, 2, insert(ACCOUNTS, ACCOUNT_COLS, 3, 3, "c")));
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.applyAll(txs.iterator()))
          .isInstanceOf(ApplyException.class)
          .hasMessage("[replica r1] cannot apply 0-1-2: its DDL ran on the source inside another statement, whose "
              + "text Ferry does not replay (it may do more than the DDL); the DDL: 'alter table accounts add column "
              + "c int'; it ran inside: 'do $$ begin alter table accounts add column c int; end $$'. Run the "
              + "equivalent DDL on this replica by hand, then set skip-ddl: true for this replica and restart until "
              + "it has applied 0-1-2, then remove skip-ddl (see docs/apply.md, 'DDL that ran inside a function')");
    }
    assertThat(accounts()).containsExactly("1|1|a");
    try (Applier applier = open(config().withSkipDdl(true))) {
      applier.applyAll(txs.subList(1, 3).iterator());
      assertThat(applier.position().schemaSequence()).hasValue(2);
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b", "3|3|c");
  }

  @Test
  void updatesOnlyTheColumnsSentWhenToastedOnesAreUnchanged() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 10, "x".repeat(5000))),
          tx(2, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 11, Value.UNCHANGED))).iterator());
    }
    assertThat(accounts()).containsExactly("1|11|" + "x".repeat(5000));
  }

  @Test
  void primaryKeyUpdateFindsTheRowByItsOldKey() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 10, "a"), insert(ACCOUNTS, ACCOUNT_COLS, 2, 20, "b")),
          tx(2, update(ACCOUNTS, ACCOUNT_COLS, row(1, null, null), 7, 10, "a moved"))).iterator());
    }
    assertThat(accounts()).containsExactly("2|20|b", "7|10|a moved");
  }

  @Test
  void tableWithoutKeyChangesExactlyOneOfDuplicateRows() throws Exception {
    TableId log = table("log");
    List<Column> columns = cols("k:int8", "v:text");
    exec("CREATE TABLE " + sqlName(log) + " (k " + type("int8") + ", v " + type("text") + ")");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(1, insert(log, columns, 1, "dup"), insert(log, columns, 1, "dup"), insert(log, columns, 1, "dup"),
              insert(log, columns, 2, null)),
          tx(2, updateFull(log, columns, row(1, "dup"), 1, "changed")),
          tx(3, deleteFull(log, columns, 1, "dup")),
          tx(4, updateFull(log, columns, row(2, null), 2, "was null"))).iterator());
    }
    assertThat(rows("SELECT k, v FROM " + sqlName(log) + " ORDER BY k, v"))
        .containsExactly("1|changed", "1|dup", "2|was null");
  }

  @Test
  void truncateEmptiesEveryTableNamed() throws Exception {
    createAccounts();
    TableId other = table("other");
    exec("CREATE TABLE " + sqlName(other) + " (id " + type("int8") + " PRIMARY KEY)");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(
          tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a"), insert(other, cols("id:int8"), 5)),
          tx(2, new Change.Truncate(List.of(ACCOUNTS, other), false, true)),
          tx(3, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "after"))).iterator());
    }
    assertThat(accounts()).containsExactly("2|2|after");
    assertThat(rows("SELECT count(*) FROM " + sqlName(other))).containsExactly("0");
  }

  @Test
  void resumesAfterTheLastCommittedTransactionAndSkipsAppliedOnes() throws Exception {
    createAccounts();
    List<Transaction> stream = counterStream(10);
    try (Applier applier = open(config())) {
      applier.applyAll(stream.subList(0, 6).iterator());
    }
    try (Applier applier = open(config())) {
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:6"));
      applier.applyAll(stream.iterator());
      assertThat(applier.skippedTransactions()).isEqualTo(6);
      ReplicaPosition at = applier.position();
      assertThat(at.applied()).isEqualTo(GtidSet.parse("0:10"));
      assertThat(at.lastCommitTime()).contains(Transactions.T0.plusSeconds(10));
      assertThat(at.schemaSequence()).hasValue(1);
    }
    assertThat(accounts()).containsExactly("1|10|n=10");
  }

  /** Inserts row 1, then increments n by one per transaction (not idempotent if replayed). */
  static List<Transaction> counterStream(int count) {
    List<Transaction> out = new ArrayList<>();
    out.add(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "n=1")));
    for (long seq = 2; seq <= count; seq++) {
      out.add(tx(seq, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, seq, "n=" + seq)));
    }
    return out;
  }

  @Test
  void twoAppliersOfOneSourceNeverApplyATransactionTwice() throws Exception {
    createAccounts();
    List<Transaction> stream = counterStream(300);
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(5, Long.MAX_VALUE, Duration.ofHours(1)))
        .withRetry(new ApplyConfig.Retry(1000, Duration.ofMillis(1), Duration.ofMillis(20)));
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      threads.add(Thread.ofPlatform().start(() -> {
        try (Applier applier = JdbcApplier.open(new ApplyConfig(name, grouped.source(), grouped.conflictPolicy(),
            grouped.grouping(), grouped.filter(), false, grouped.retry(), false), target())) {
          applier.applyAll(stream.iterator());
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(accounts()).containsExactly("1|300|n=300");
  }

  @Test
  void recordsJournalPositionAndProgressInTheSameTransaction() throws Exception {
    createAccounts();
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(4, Long.MAX_VALUE, Duration.ofHours(1)));
    List<Transaction> stream = counterStream(10);
    Applier applier = open(grouped);
    for (Transaction t : stream) {
      applier.apply(t, new JournalPosition(1, t.gtid().seq()));
    }
    // Two groups of 4 are committed, the last 2 are open: neither their rows nor their progress show.
    assertThat(accounts()).containsExactly("1|8|n=8");
    ReplicaPosition committed = applier.position();
    assertThat(committed.applied()).isEqualTo(GtidSet.parse("0:8"));
    assertThat(committed.journalPosition()).contains(new JournalPosition(1, 8));
    applier.close(); // rolls back the open group, as a crash would
    try (Applier again = open(grouped)) {
      again.applyAll(stream.iterator());
      assertThat(again.skippedTransactions()).isEqualTo(8);
    }
    assertThat(accounts()).containsExactly("1|10|n=10");
  }

  @Test
  void groupCommitsWhenItsTimeIsUp() throws Exception {
    createAccounts();
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(1000, Long.MAX_VALUE,
        Duration.ofMillis(500)));
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now = new java.util.concurrent.atomic.AtomicReference<>(
        Transactions.T0);
    try (Applier applier = JdbcApplier.open(grouped, target(), now::get)) {
      List<Transaction> stream = counterStream(2);
      applier.apply(stream.get(0));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.empty());
      now.set(Transactions.T0.plusMillis(500));
      applier.apply(stream.get(1)); // the group is as old as maxDelay: committed with this one
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
  }

  @Test
  void aSourceTransactionIsNeverSplitEvenAboveTheByteBound() throws Exception {
    createAccounts();
    ApplyConfig tiny = config().withGrouping(new ApplyConfig.Grouping(1000, 1, Duration.ofHours(1)));
    List<Change> many = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      many.add(insert(ACCOUNTS, ACCOUNT_COLS, i, i, "row " + i));
    }
    try (Applier applier = open(tiny)) {
      applier.apply(tx(1, many.toArray(Change[]::new)));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
      applier.apply(tx(2, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 0, "first")));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(rows("SELECT count(*) FROM " + sqlName(ACCOUNTS))).containsExactly("200");
  }

  @Test
  void conflictOnATableWithoutKeyIsKeyedByTheWholeOldRow() throws Exception {
    TableId log = table("log");
    List<Column> columns = cols("k:int8", "v:text");
    exec("CREATE TABLE " + sqlName(log) + " (k " + type("int8") + ", v " + type("text") + ")");
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.applyAll(List.of(tx(1, insert(log, columns, 1, "here")),
          tx(2, updateFull(log, columns, row(1, "not here"), 1, "new")),
          tx(3, deleteFull(log, columns, 2, null))).iterator());
    }
    assertThat(rows("SELECT k, v FROM " + sqlName(log))).containsExactly("1|here");
    assertThat(conflicts()).containsExactly(
        "0-1-2|update_missing|public.log|(k=1, v=not here)|null|(k=1, v=new)|skipped",
        "0-1-3|delete_missing|public.log|(k=2, v=NULL)|null|(k=2, v=NULL)|skipped");
  }

  @Test
  void filtersTablesByIncludeAndExcludePatterns() throws Exception {
    createAccounts();
    TableId other = table("other_x");
    exec("CREATE TABLE " + sqlName(other) + " (id " + type("int8") + " PRIMARY KEY)");
    ApplyConfig filtered = config().withFilter(TableFilter.of(List.of("public\\..*"), List.of("public\\.other_.*")));
    try (Applier applier = open(filtered)) {
      applier.applyAll(List.of(
          tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a"), insert(other, cols("id:int8"), 5)),
          tx(2, insert(table("other_missing"), cols("id:int8"), 5),
              new Change.Truncate(List.of(other), false, false))).iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(TableFilter.of(List.of(), List.of("other.*")).accepts(table("x"))).isTrue();
    assertThat(accounts()).containsExactly("1|1|a");
    assertThat(rows("SELECT count(*) FROM " + sqlName(other))).containsExactly("0");
  }

  @Test
  void ddlOfTablesTheFilterLeavesOutIsNotAppliedAndTheReplicaGoesOn() throws Exception {
    createAccounts();
    ApplyConfig filtered = config().withFilter(TableFilter.of(List.of(), List.of("public\\.audit_.*")));
    try (Applier applier = open(filtered)) {
      applier.applyAll(List.of(
          txAt(1, 1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")),
          // audit_log was never copied to this replica: its ALTER would fail here
          txAt(2, 2, new Change.Ddl("ALTER TABLE audit_log ADD COLUMN x int", "public", 2)),
          txAt(3, 3, new Change.Ddl("CREATE TABLE public.audit_trail (id int PRIMARY KEY)", "public", 3)),
          txAt(4, 4, new Change.Ddl("DROP TABLE IF EXISTS audit_log, \"audit_trail\"", "public", 4),
              insert(table("audit_trail"), cols("id:int8"), 1)),
          txAt(5, 5, new Change.Ddl("CREATE TABLE kept (id " + type("int8") + " PRIMARY KEY)", "public", 5)),
          txAt(6, 5, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b"))).iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:6"));
      assertThat(applier.position().schemaSequence()).as("left-out DDL still advances it").hasValue(5);
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b");
    assertThat(rows("SELECT count(*) FROM " + sqlName(table("kept")))).as("DDL of a kept table applied")
        .containsExactly("0");
  }

  // ---- conflicts: each type under each policy, with the conflicts row ----

  private void seedAccounts() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 10, "local"),
          insert(ACCOUNTS, ACCOUNT_COLS, 2, 20, "two"))).iterator());
    }
  }

  private static final Transaction INSERT_EXISTS = tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 1, 99, "remote"));
  private static final Transaction UPDATE_MISSING =
      tx(2, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 55, "remote"));
  private static final Transaction DELETE_MISSING = tx(2, delete(ACCOUNTS, ACCOUNT_COLS, 5, null, null));
  private static final Transaction UPDATE_DIFFERS =
      tx(2, updateFull(ACCOUNTS, ACCOUNT_COLS, row(1, 10, "not what is there"), 1, 11, "remote"));
  private static final Transaction DELETE_DIFFERS =
      tx(2, deleteFull(ACCOUNTS, ACCOUNT_COLS, 1, 10, "not what is there"));

  @Test
  void stopPolicyNamesTypeTableKeyAndGtidAndRestartRetriesTheSameTransaction() throws Exception {
    seedAccounts();
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.applyAll(List.of(UPDATE_MISSING, tx(3, insert(ACCOUNTS, ACCOUNT_COLS, 3, 3,
          "later"))).iterator()))
          .isInstanceOf(ConflictException.class)
          .hasMessage("[replica r1] cannot apply 0-1-2 to public.accounts: row (id=5) not found for UPDATE"
              + " (update_missing)")
          .satisfies(e -> assertThat(((ConflictException) e).type()).isEqualTo(ConflictType.UPDATE_MISSING));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
      assertThat(applier.conflictCounts()).containsEntry(ConflictType.UPDATE_MISSING, 1L);
    }
    assertThat(conflicts()).containsExactly("0-1-2|update_missing|public.accounts|(id=5)|null|(id=5, n=55, note=remote)"
        + "|stopped");
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.apply(UPDATE_MISSING)).isInstanceOf(ConflictException.class);
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|20|two");
  }

  @Test
  void stopOnEveryConflictType() throws Exception {
    seedAccounts();
    Map<ConflictType, Transaction> cases = Map.of(ConflictType.INSERT_EXISTS, INSERT_EXISTS,
        ConflictType.UPDATE_MISSING, UPDATE_MISSING, ConflictType.DELETE_MISSING, DELETE_MISSING,
        ConflictType.UPDATE_DIFFERS, UPDATE_DIFFERS, ConflictType.DELETE_DIFFERS, DELETE_DIFFERS);
    try (Applier applier = open(config())) {
      for (var c : cases.entrySet()) {
        assertThatThrownBy(() -> applier.apply(c.getValue()))
            .isInstanceOfSatisfying(ConflictException.class, e -> {
              assertThat(e.type()).isEqualTo(c.getKey());
              assertThat(e.gtid()).contains(gtid(2));
              assertThat(e.getMessage()).contains("0-1-2", "public.accounts", "(id=", c.getKey().label());
            });
      }
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|20|two");
    assertThat(conflicts()).hasSize(5).allMatch(r -> r.endsWith("|stopped"));
  }

  @Test
  void skipPolicyLeavesTargetRowsAndRecordsEachConflict() throws Exception {
    seedAccounts();
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.applyAll(List.of(INSERT_EXISTS, tx(3, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 55, "remote")),
          tx(4, delete(ACCOUNTS, ACCOUNT_COLS, 5, null, null)),
          tx(5, updateFull(ACCOUNTS, ACCOUNT_COLS, row(1, 10, "not what is there"), 1, 11, "remote")),
          tx(6, deleteFull(ACCOUNTS, ACCOUNT_COLS, 1, 10, "not what is there"))).iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:6"));
      assertThat(applier.conflictCounts()).containsOnlyKeys(ConflictType.INSERT_EXISTS, ConflictType.UPDATE_MISSING,
          ConflictType.DELETE_MISSING, ConflictType.UPDATE_DIFFERS, ConflictType.DELETE_DIFFERS)
          .allSatisfy((k, v) -> assertThat(v).isEqualTo(1L));
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|20|two");
    assertThat(conflicts()).containsExactly(
        "0-1-2|insert_exists|public.accounts|(id=1)|(id=1, n=10, note=local)|(id=1, n=99, note=remote)|skipped",
        "0-1-3|update_missing|public.accounts|(id=5)|null|(id=5, n=55, note=remote)|skipped",
        "0-1-4|delete_missing|public.accounts|(id=5)|null|(id=5, n=NULL, note=NULL)|skipped",
        "0-1-5|update_differs|public.accounts|(id=1)|(id=1, n=10, note=local)|(id=1, n=11, note=remote)|skipped",
        "0-1-6|delete_differs|public.accounts|(id=1)|(id=1, n=10, note=local)|(id=1, n=10, note=not what is there)"
            + "|skipped");
  }

  @Test
  void overwritePolicyMakesTheTargetFollowTheSource() throws Exception {
    seedAccounts();
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.OVERWRITE))) {
      applier.applyAll(List.of(INSERT_EXISTS,
          tx(3, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 55, "inserted by update")),
          tx(4, delete(ACCOUNTS, ACCOUNT_COLS, 6, null, null)),
          tx(5, updateFull(ACCOUNTS, ACCOUNT_COLS, row(2, 0, "not what is there"), 2, 21, "overwritten")),
          tx(6, deleteFull(ACCOUNTS, ACCOUNT_COLS, 1, 10, "not what is there"))).iterator());
    }
    assertThat(accounts()).containsExactly("2|21|overwritten", "5|55|inserted by update");
    assertThat(conflicts()).extracting(r -> r.substring(r.lastIndexOf('|') + 1))
        .containsExactly("overwritten", "inserted", "ignored", "overwritten", "deleted");
  }

  @Test
  void conflictsInsideOneBatchResolveInChangeOrder() throws Exception {
    seedAccounts();
    // Four updates in one batch: the first two miss row 5, so overwrite inserts it, and the second finds it.
    try (Applier applier = open(config().withConflictPolicy(ConflictPolicy.OVERWRITE))) {
      applier.applyAll(List.of(tx(2,
          update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 1, "first"),
          update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 2, "second"),
          update(ACCOUNTS, ACCOUNT_COLS, List.of(), 2, 3, "third"),
          update(ACCOUNTS, ACCOUNT_COLS, List.of(), 7, 4, "fourth"))).iterator());
      assertThat(applier.conflictCounts()).containsExactly(Map.entry(ConflictType.UPDATE_MISSING, 2L));
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|3|third", "5|2|second", "7|4|fourth");
  }

  @Test
  void conflictInTheMiddleOfAGroupCommitsTheTransactionsBeforeIt() throws Exception {
    seedAccounts();
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(100, Long.MAX_VALUE, Duration.ofHours(1)));
    try (Applier applier = open(grouped)) {
      applier.apply(tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 3, 3, "c")));
      applier.apply(tx(3, insert(ACCOUNTS, ACCOUNT_COLS, 4, 4, "d")));
      // Row changes wait in batches until the group commits: the conflict shows at apply or flush.
      assertThatThrownBy(() -> {
        applier.apply(tx(4, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "exists")));
        applier.apply(tx(5, insert(ACCOUNTS, ACCOUNT_COLS, 5, 5, "e")));
        applier.flush();
      }).isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.gtid()).contains(gtid(4)))
          .hasMessageContaining("0-1-4");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|20|two", "3|3|c", "4|4|d");
  }

  @Test
  void failedStatementInAGroupNamesItsTransactionAndCommitsTheTransactionsBeforeIt() throws Exception {
    TableId checked = table("checked");
    List<Column> columns = cols("id:int8", "n:int8");
    exec("CREATE TABLE " + sqlName(checked) + " (id " + type("int8") + " PRIMARY KEY, n " + type("int8")
        + " CHECK (n >= 0))");
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(100, Long.MAX_VALUE, Duration.ofHours(1)));
    try (Applier applier = open(grouped)) {
      applier.apply(tx(1, insert(checked, columns, 1, 1)));
      applier.apply(tx(2, insert(checked, columns, 2, 2), update(checked, columns, List.of(), 1, 10)));
      assertThatThrownBy(() -> {
        applier.apply(tx(3, insert(checked, columns, 3, -1)));
        applier.apply(tx(4, insert(checked, columns, 4, 4)));
        applier.flush();
      }).isInstanceOfSatisfying(ApplyException.class, e -> assertThat(e.gtid()).contains(gtid(3)))
          .hasMessageContaining("cannot apply 0-1-3 to public.checked");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(rows("SELECT id, n FROM " + sqlName(checked) + " ORDER BY id")).containsExactly("1|10", "2|2");
  }

  @Test
  void conflictsOfAGroupAreRecordedWithTheirOwnTransactions() throws Exception {
    seedAccounts();
    ApplyConfig grouped = config().withConflictPolicy(ConflictPolicy.SKIP)
        .withGrouping(new ApplyConfig.Grouping(100, Long.MAX_VALUE, Duration.ofHours(1)));
    try (Applier applier = open(grouped)) {
      applier.applyAll(List.of(
          tx(2, insert(ACCOUNTS, ACCOUNT_COLS, 3, 3, "c"), update(ACCOUNTS, ACCOUNT_COLS, List.of(), 2, 21, "two")),
          tx(3, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5, 55, "missing")),
          tx(4, insert(ACCOUNTS, ACCOUNT_COLS, 4, 4, "d"), update(ACCOUNTS, ACCOUNT_COLS, List.of(), 3, 31, "c")),
          tx(5, delete(ACCOUNTS, ACCOUNT_COLS, 6, null, null))).iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:5"));
    }
    assertThat(accounts()).containsExactly("1|10|local", "2|21|two", "3|31|c", "4|4|d");
    assertThat(conflicts()).extracting(r -> r.substring(0, r.indexOf('|', 6)))
        .containsExactly("0-1-3|update_missing", "0-1-5|delete_missing");
  }

  @Test
  void changesOfOneRowInDifferentBatchesOfAGroupApplyInChangeOrder() throws Exception {
    createAccounts();
    TableId log = table("log");
    List<Column> logCols = cols("id:int8", "what:text");
    exec("CREATE TABLE " + sqlName(log) + " (id " + type("int8") + ", what " + type("text") + ")");
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(100, Long.MAX_VALUE, Duration.ofHours(1)));
    try (Applier applier = open(grouped)) {
      applier.applyAll(List.of(
          tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 10, "a"), insert(ACCOUNTS, ACCOUNT_COLS, 2, 20, "b"),
              insert(log, logCols, 1, "x")),
          tx(2, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 11, Value.UNCHANGED), insert(log, logCols, 2, "y")),
          tx(3, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 12, "a2"), delete(ACCOUNTS, ACCOUNT_COLS, 2, null, null)),
          tx(4, insert(ACCOUNTS, ACCOUNT_COLS, 2, 22, "b2"), deleteFull(log, logCols, 1, "x")),
          tx(5, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 1, 13, Value.UNCHANGED),
              update(ACCOUNTS, ACCOUNT_COLS, row(2, null, null), 3, 33, "moved"), insert(log, logCols, 1, "z")),
          tx(6, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 3, 34, "moved"), insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "new")))
          .iterator());
    }
    assertThat(accounts()).containsExactly("1|13|a2", "2|2|new", "3|34|moved");
    assertThat(rows("SELECT id, what FROM " + sqlName(log) + " ORDER BY id, what")).containsExactly("1|z", "2|y");
  }

  // ---- schema sequence barrier ----

  @Test
  void refusesATransactionAheadOfTheReplicaSchemaWithoutItsDdl() throws Exception {
    createAccounts();
    try (Applier applier = open(config())) {
      applier.apply(txAt(1, 4, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
      assertThatThrownBy(() -> applier.apply(txAt(2, 5, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b"))))
          .isInstanceOfSatisfying(SchemaSequenceException.class, e -> {
            assertThat(e.transactionSequence()).isEqualTo(5);
            assertThat(e.replicaSequence()).isEqualTo(4);
          })
          .hasMessage("[replica r1] cannot apply 0-1-2: it belongs to schema sequence 5 but the replica is at"
              + " schema sequence 4 and it carries no DDL that gets there");
      assertThat(applier.position().schemaSequence()).hasValue(4);
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

  @Test
  void skippedDdlStillAdvancesTheSchemaSequence() throws Exception {
    createAccounts();
    try (Applier applier = open(config().withSkipDdl(true))) {
      applier.applyAll(List.of(
          txAt(1, 4, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")),
          txAt(2, 5, new Change.Ddl("ALTER TABLE something nobody has", "public", 5)),
          txAt(3, 5, insert(ACCOUNTS, ACCOUNT_COLS, 2, 2, "b"))).iterator());
      assertThat(applier.position().schemaSequence()).hasValue(5);
    }
    assertThat(accounts()).containsExactly("1|1|a", "2|2|b");
  }

  @Test
  void sequenceAdvancesOnlyForward() throws Exception {
    TableId seq = table("accounts_id_seq");
    createSequence(seq);
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(tx(1, new Change.SequenceAdvance(seq, 50)), tx(2, new Change.SequenceAdvance(seq, 20)),
          tx(3, new Change.SequenceAdvance(seq, 70)), tx(4, new Change.SequenceAdvance(seq, 60))).iterator());
    }
    assertThat(sequenceValue(seq)).isEqualTo(70);
  }

  abstract String conflictsTable();

  abstract void createSequence(TableId seq) throws SQLException;

  abstract long sequenceValue(TableId seq) throws SQLException;

  @Test
  void missingTargetTableStopsWithItsName() throws Exception {
    try (Applier applier = open(config())) {
      assertThatThrownBy(() -> applier.apply(tx(1, insert(table("nope"), cols("id:int8"), 1))))
          .isInstanceOf(ApplyException.class)
          .hasMessageStartingWith("[replica r1] cannot apply 0-1-1 to public.nope: table ")
          .hasMessageContaining("does not exist on the target");
    }
  }

  @Test
  void identifierWithNulIsRefusedAndEarlierTransactionsOfTheGroupCommitted() throws Exception {
    createAccounts();
    ApplyConfig grouped = config().withGrouping(new ApplyConfig.Grouping(100, Long.MAX_VALUE, Duration.ofHours(1)));
    try (Applier applier = open(grouped)) {
      applier.apply(tx(1, insert(ACCOUNTS, ACCOUNT_COLS, 1, 1, "a")));
      assertThatThrownBy(() -> applier.apply(tx(2, insert(table("bad\0name"), cols("id:int8"), 1))))
          .isInstanceOf(ApplyException.class)
          .hasMessageStartingWith("[replica r1] cannot apply 0-1-2: ")
          .hasMessageContaining("NUL");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(accounts()).containsExactly("1|1|a");
  }

  @Test
  void statementsAreCachedPerTableOperationAndColumnSet() throws Exception {
    createAccounts();
    try (JdbcApplier applier = (JdbcApplier) open(config())) {
      List<Transaction> stream = new ArrayList<>();
      LongStream.rangeClosed(1, 50).forEach(i -> stream.add(tx(i, insert(ACCOUNTS, ACCOUNT_COLS, i, i, "x"),
          update(ACCOUNTS, ACCOUNT_COLS, List.of(), i, i + 1, Value.UNCHANGED))));
      applier.applyAll(stream.iterator());
      assertThat(applier.cache.misses()).isEqualTo(2);
    }
  }

  // ---- key shifts and clashes on other unique keys ----

  /** {@code UPDATE accounts SET id = id + 1} as a source with a deferrable key sends it: in row order, old key first. */
  private static Change[] keyShift(long rows) {
    List<Change> shift = new ArrayList<>();
    for (long id = 1; id <= rows; id++) {
      shift.add(update(ACCOUNTS, ACCOUNT_COLS, row(id, null, null), id + 1, id, "n" + id));
    }
    shift.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), 2, 20, "after"));
    return shift.toArray(Change[]::new);
  }

  @Test
  void keyShiftOfEveryRowAppliesAsTheSourceCommittedIt() throws Exception {
    createAccounts();
    List<Change> seed = new ArrayList<>();
    for (long id = 1; id <= 5; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, id, "n" + id));
    }
    ApplyConfig grouped = ApplyConfig.defaults("r1", "src-1");
    try (Applier applier = open(grouped)) {
      applier.applyAll(List.of(tx(1, seed.toArray(Change[]::new)), tx(2, keyShift(5)),
          tx(3, insert(ACCOUNTS, ACCOUNT_COLS, 1, 0, "new"))).iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
      assertThat(applier.conflictCounts()).isEmpty();
    }
    assertThat(accounts()).containsExactly("1|0|new", "2|20|after", "3|2|n2", "4|3|n3", "5|4|n4", "6|5|n5");
  }

  @Test
  void keyShiftInALargeTransactionAppliesAsTheSourceCommittedIt() throws Exception {
    createAccounts();
    List<Change> seed = new ArrayList<>();
    for (long id = 1; id <= 300; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, id, "n" + id));
    }
    LargeTxs.journal(journalDir, List.of(tx(1, seed.toArray(Change[]::new)), tx(2, keyShift(300))));
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThat(LargeTxs.apply(applier, journalDir)).isEqualTo(2);
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(accounts()).hasSize(300).startsWith("2|20|after", "3|2|n2").endsWith("301|300|n300");
  }

  static final TableId PEOPLE = table("people");
  static final List<Column> PEOPLE_COLS = cols("id:int8", "email:text");

  /** people(1, a@x) from the source and (2, b@x) written on the replica alone; then a clash on email. */
  private List<Transaction> emailClashes() throws Exception {
    exec("CREATE TABLE " + sqlName(PEOPLE) + " (id " + type("int8") + " PRIMARY KEY, email " + type("text")
        + " UNIQUE)");
    try (Applier applier = open(config())) {
      applier.applyAll(List.of(tx(1, insert(PEOPLE, PEOPLE_COLS, 1, "a@x"))).iterator());
    }
    exec("INSERT INTO " + sqlName(PEOPLE) + " VALUES (2, 'b@x')");
    return List.of(tx(2, insert(PEOPLE, PEOPLE_COLS, 3, "b@x")),
        tx(3, update(PEOPLE, PEOPLE_COLS, row(1, null), 1, "b@x")));
  }

  private List<String> people() throws SQLException {
    return rows("SELECT id, email FROM " + sqlName(PEOPLE) + " ORDER BY id");
  }

  @Test
  void clashOnAnotherUniqueKeyStopsAsATypedConflictNamingTheKeyAndBothRows() throws Exception {
    List<Transaction> clashes = emailClashes();
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThatThrownBy(() -> applier.applyAll(clashes.iterator()))
          .isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.type()).isEqualTo(ConflictType.INSERT_EXISTS);
            assertThat(e.gtid()).contains(gtid(2));
            assertThat(e.key()).startsWith("(email=b@x) on unique key ");
            assertThat(e.getMessage()).contains("0-1-2", "public.people", "(email=b@x) on unique key",
                "(id=2, email=b@x)", "insert_exists");
          });
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(people()).containsExactly("1|a@x", "2|b@x");
    assertThat(conflicts()).singleElement().asString()
        .startsWith("0-1-2|insert_exists|public.people|(email=b@x) on unique key ")
        .endsWith("|(id=2, email=b@x)|(id=3, email=b@x)|stopped");
  }

  @Test
  void clashOnAnotherUniqueKeyIsSkippedAndRecordedUnderSkip() throws Exception {
    List<Transaction> clashes = emailClashes();
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1").withConflictPolicy(ConflictPolicy.SKIP))) {
      applier.applyAll(clashes.iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
      assertThat(applier.conflictCounts()).containsOnly(Map.entry(ConflictType.INSERT_EXISTS, 1L),
          Map.entry(ConflictType.UPDATE_EXISTS, 1L));
    }
    assertThat(people()).containsExactly("1|a@x", "2|b@x");
    assertThat(conflicts()).hasSize(2);
    assertThat(conflicts().get(0)).startsWith("0-1-2|insert_exists|public.people|(email=b@x) on unique key ")
        .endsWith("|(id=2, email=b@x)|(id=3, email=b@x)|skipped");
    assertThat(conflicts().get(1)).startsWith("0-1-3|update_exists|public.people|(email=b@x) on unique key ")
        .endsWith("|(id=2, email=b@x)|(id=1, email=b@x)|skipped");
  }

  @Test
  void clashOnAnotherUniqueKeyDeletesTheLocalRowUnderOverwrite() throws Exception {
    List<Transaction> clashes = emailClashes();
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1").withConflictPolicy(ConflictPolicy.OVERWRITE))) {
      applier.applyAll(clashes.iterator());
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
    }
    // The source's rows win: (3, b@x) replaced the replica's own (2, b@x), then (1) took b@x from (3).
    assertThat(people()).containsExactly("1|b@x");
    assertThat(conflicts()).hasSize(2);
    assertThat(conflicts().get(0)).startsWith("0-1-2|insert_exists|public.people|(email=b@x) on unique key ")
        .endsWith("|(id=2, email=b@x)|(id=3, email=b@x)|overwritten (local row deleted)");
    assertThat(conflicts().get(1)).startsWith("0-1-3|update_exists|public.people|(email=b@x) on unique key ")
        .endsWith("|(id=3, email=b@x)|(id=1, email=b@x)|overwritten (local row deleted)");
  }

  // ---- large (chunked) transactions, streamed from the journal ----

  @TempDir
  Path journalDir;

  /** Rows 1..600 (n = id, note 'a<id>'), then one large transaction of every row-change shape, then a small one. */
  private List<Transaction> largeStream(TreeMap<Long, String> expected, Change... extra) {
    List<Change> seed = new ArrayList<>();
    for (long id = 1; id <= 600; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, id, "a" + id));
      expected.put(id, id + "|a" + id);
    }
    List<Change> big = new ArrayList<>();
    for (long id = 1; id <= 300; id++) {
      big.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, id * 10, "u" + id));
      expected.put(id, id * 10 + "|u" + id);
    }
    for (long id = 301; id <= 400; id++) {
      big.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, -id, Value.UNCHANGED)); // TOAST unchanged
      expected.put(id, -id + "|a" + id);
    }
    for (long id = 401; id <= 500; id++) {
      big.add(delete(ACCOUNTS, ACCOUNT_COLS, id, null, null));
      expected.remove(id);
    }
    for (long id = 601; id <= 800; id++) {
      big.add(insert(ACCOUNTS, ACCOUNT_COLS, id, id, null));
      expected.put(id, id + "|null");
    }
    for (long id = 601; id <= 650; id++) { // a short run: row by row, after the rows it updates
      big.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, 0, "v"));
      expected.put(id, "0|v");
    }
    for (long id = 1; id <= 10; id++) {
      big.add(delete(ACCOUNTS, ACCOUNT_COLS, id, null, null));
      expected.remove(id);
    }
    big.addAll(List.of(extra));
    return List.of(tx(1, seed.toArray(Change[]::new)), tx(2, big.toArray(Change[]::new)),
        tx(3, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 700, 7, "last")));
  }

  private List<String> expectedAccounts(TreeMap<Long, String> expected) {
    return expected.entrySet().stream().map(e -> e.getKey() + "|" + e.getValue()).toList();
  }

  @Test
  void largeTransactionFromTheJournalEndsAsIfAppliedRowByRowAndIsSkippedWhenReadAgain() throws Exception {
    createAccounts();
    TreeMap<Long, String> expected = new TreeMap<>();
    List<Transaction> stream = largeStream(expected);
    expected.put(700L, "7|last");
    LargeTxs.journal(journalDir, stream);
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThat(LargeTxs.apply(applier, journalDir)).as("chunked transactions").isEqualTo(2);
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
      assertThat(applier.conflictCounts()).isEmpty();
    }
    assertThat(accounts()).isEqualTo(expectedAccounts(expected));
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      LargeTxs.apply(applier, journalDir);
      assertThat(applier.skippedTransactions()).isEqualTo(3);
    }
    assertThat(accounts()).isEqualTo(expectedAccounts(expected));
  }

  @Test
  @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void largeTransactionWithCreateTableThenSixThousandUpdatesOfAnotherTableApplies() throws Exception {
    // The DDL drops the cached table shapes; a set-based run must never describe a table while its COPY is open.
    createAccounts();
    List<Change> seed = new ArrayList<>();
    List<Change> big = new ArrayList<>();
    big.add(new Change.Ddl("CREATE TABLE audit (id " + type("int8") + " PRIMARY KEY, what " + type("text") + ")",
        "public", 2));
    for (long id = 1; id <= 6000; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, 0, "s"));
      big.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, id, "u"));
    }
    big.add(insert(table("audit"), cols("id:int8", "what:text"), 1, "after"));
    LargeTxs.journal(journalDir, List.of(txAt(1, 1, seed.toArray(Change[]::new)),
        txAt(2, 2, big.toArray(Change[]::new))));
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThat(LargeTxs.apply(applier, journalDir)).as("chunked transactions").isEqualTo(2);
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:2"));
    }
    assertThat(rows("SELECT count(*), sum(n), min(note), max(note) FROM " + sqlName(ACCOUNTS)))
        .containsExactly("6000|18003000|u|u");
    assertThat(rows("SELECT id, what FROM " + sqlName(table("audit")))).containsExactly("1|after");
  }

  @Test
  void conflictInALargeTransactionStopsItWholeAndNamesItsTransaction() throws Exception {
    createAccounts();
    TreeMap<Long, String> expected = new TreeMap<>();
    List<Transaction> stream = largeStream(expected, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5000, 1, "missing"));
    LargeTxs.journal(journalDir, stream);
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1"))) {
      assertThatThrownBy(() -> LargeTxs.apply(applier, journalDir))
          .isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.type()).isEqualTo(ConflictType.UPDATE_MISSING);
            assertThat(e.gtid()).contains(gtid(2));
            assertThat(e.getMessage()).contains("0-1-2", "public.accounts", "(id=5000)");
          });
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(accounts()).hasSize(600).contains("1|1|a1", "500|500|a500");
    assertThat(conflicts()).singleElement().asString().startsWith("0-1-2|update_missing|public.accounts|(id=5000)");
  }

  @Test
  void skipPolicyInALargeTransactionRecordsEachConflictAsRowByRowDoes() throws Exception {
    createAccounts();
    TreeMap<Long, String> expected = new TreeMap<>();
    // A missing row inside a long run of updates, and one key updated twice (the later wins).
    List<Change> extra = new ArrayList<>();
    for (long id = 100; id <= 199; id++) {
      extra.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, id, "again"));
    }
    extra.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5000, 1, "missing"));
    extra.add(update(ACCOUNTS, ACCOUNT_COLS, List.of(), 150, 1, "twice"));
    List<Transaction> stream = largeStream(expected, extra.toArray(Change[]::new));
    for (long id = 100; id <= 199; id++) {
      expected.put(id, id + "|again");
    }
    expected.put(150L, "1|twice");
    expected.put(700L, "7|last");
    LargeTxs.journal(journalDir, stream);
    try (Applier applier = open(ApplyConfig.defaults("r1", "src-1").withConflictPolicy(ConflictPolicy.SKIP))) {
      LargeTxs.apply(applier, journalDir);
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
      assertThat(applier.conflictCounts()).containsExactly(Map.entry(ConflictType.UPDATE_MISSING, 1L));
    }
    assertThat(accounts()).isEqualTo(expectedAccounts(expected));
    assertThat(conflicts()).containsExactly(
        "0-1-2|update_missing|public.accounts|(id=5000)|null|(id=5000, n=1, note=missing)|skipped");
  }

  // ---- set-based batches across the transactions of a group ----

  @Test
  void groupOfManySmallTransactionsEndsAsIfAppliedOneByOneAndAConflictNamesItsTransaction() throws Exception {
    createAccounts();
    TreeMap<Long, String> expected = new TreeMap<>();
    List<Transaction> stream = new ArrayList<>();
    List<Change> seed = new ArrayList<>();
    for (long id = 1; id <= 40; id++) {
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, 0, "s"));
      expected.put(id, "0|s");
    }
    for (long id = 2002; id <= 2150; id++) { // keys apart from the others: the group's batches grow
      seed.add(insert(ACCOUNTS, ACCOUNT_COLS, id, 0, "d"));
      expected.put(id, "0|d");
    }
    stream.add(tx(1, seed.toArray(Change[]::new)));
    for (long seq = 2; seq <= 150; seq++) {
      long id = seq % 40 + 1; // every key updated several times in a group
      long added = 1000 + seq;
      stream.add(tx(seq, update(ACCOUNTS, ACCOUNT_COLS, List.of(), id, seq, "u" + seq),
          insert(ACCOUNTS, ACCOUNT_COLS, added, seq, "i"), delete(ACCOUNTS, ACCOUNT_COLS, 2000 + seq, null, null)));
    }
    List<Transaction> good = stream.subList(0, 120); // up to 0-1-120
    for (Transaction t : good.subList(1, good.size())) {
      long seq = t.gtid().seq();
      expected.put(seq % 40 + 1, seq + "|u" + seq);
      expected.put(1000 + seq, seq + "|i");
      expected.remove(2000 + seq);
    }
    Transaction conflicting = tx(121, update(ACCOUNTS, ACCOUNT_COLS, List.of(), 5000, 1, "missing"));
    ApplyConfig grouped = ApplyConfig.defaults("r1", "src-1")
        .withGrouping(new ApplyConfig.Grouping(500, 64L << 20, Duration.ofMinutes(1)));
    try (Applier applier = open(grouped)) {
      List<Transaction> all = new ArrayList<>(good);
      all.add(conflicting);
      all.addAll(stream.subList(120, stream.size()));
      assertThatThrownBy(() -> applier.applyAll(all.iterator()))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.gtid()).contains(gtid(121)));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:120"));
    }
    assertThat(accounts()).isEqualTo(expectedAccounts(expected));
  }

  /**
   * A group of many single-row inserts into one table runs as set-based statements (PostgreSQL:
   * arrays; MariaDB: multi-row inserts); a key that exists on the target in the middle of it is
   * still found and named by its transaction, and those before it commit.
   */
  @Test
  void anExistingKeyInABatchOfManyInsertsIsNamedByItsTransaction() throws Exception {
    createAccounts();
    exec("INSERT INTO " + sqlName(ACCOUNTS) + " VALUES (1150, 0, 'local')");
    List<Transaction> stream = new ArrayList<>();
    for (long seq = 1; seq <= 300; seq++) {
      stream.add(tx(seq, insert(ACCOUNTS, ACCOUNT_COLS, 1000 + seq, seq, "i")));
    }
    ApplyConfig grouped = ApplyConfig.defaults("r1", "src-1")
        .withGrouping(new ApplyConfig.Grouping(500, 64L << 20, Duration.ofMinutes(1)));
    try (Applier applier = open(grouped)) {
      assertThatThrownBy(() -> applier.applyAll(stream.iterator()))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.gtid()).contains(gtid(150)));
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:149"));
    }
    assertThat(rows("SELECT count(*) FROM " + sqlName(ACCOUNTS))).containsExactly("150");
    assertThat(rows("SELECT note FROM " + sqlName(ACCOUNTS) + " WHERE id = 1150")).containsExactly("local");
  }
}
