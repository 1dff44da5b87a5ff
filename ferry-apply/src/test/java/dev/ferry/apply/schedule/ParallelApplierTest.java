package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parallel apply on a real PostgreSQL target: a seeded random workload ({@link ModelWorkload}: key
 * moves, deletes and re-inserts, a unique key, a keyless table, TRUNCATE and DDL in the middle)
 * applied from a journal with 1, 2, 4 and 8 workers ends in the state the source had, with every
 * GTID applied once and the set contiguous; a SQLite target refuses more than one worker.
 */
@Timeout(180)
class ParallelApplierTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int TRANSACTIONS = 400;
  private static final int ACCOUNTS = 10_000;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}, {1} workers, commit order {2}")
  @CsvSource({"7, 1, KEPT", "7, 2, KEPT", "7, 4, KEPT", "7, 8, KEPT", "11, 4, KEPT", "12, 8, KEPT",
      "7, 2, RELAXED", "7, 4, RELAXED", "7, 8, RELAXED", "11, 4, RELAXED", "12, 8, RELAXED"})
  void randomWorkloadEndsAsTheSourceDidWithAnyNumberOfWorkers(long seed, int workers, ApplyConfig.CommitOrder order)
      throws Exception {
    ModelWorkload workload = new ModelWorkload(seed);
    List<Transaction> txs = workload.transactions(TRANSACTIONS);
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String url = postgres.cluster().createDatabase("par" + DATABASES.incrementAndGet());
    createTables(url);
    ApplyConfig config = ApplyConfig.defaults("r1", "src").withParallel(new ApplyConfig.Parallel(workers, order));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
      ReplicaPosition at = applier.position();
      assertThat(at.applied().lowWaterMark(0)).isEqualTo(TRANSACTIONS);
      assertThat(at.applied().hasHoles(0)).isFalse();
    }
    assertThat(stateOf(url).digest()).isEqualTo(workload.state().digest());

    // Applied again from the oldest: everything is skipped, nothing changes.
    try (Applier again = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(again, journal);
      assertThat(again.skippedTransactions()).isEqualTo(TRANSACTIONS);
    }
    assertThat(stateOf(url).digest()).isEqualTo(workload.state().digest());
  }

  /**
   * Ordered mode never shows a state the primary did not have: transfers between 10,000 accounts keep
   * the total constant on the primary, and a reader on the replica checks the total at every read
   * while 8 workers apply.
   */
  @Test
  void aReaderNeverSeesAStateThePrimaryDidNotHaveWithEightWorkers() throws Exception {
    List<Column> columns = cols("id:int8", "balance:int8");
    TableId accounts = table("bank");
    SplittableRandom random = new SplittableRandom(15);
    long[] balance = new long[ACCOUNTS];
    java.util.Arrays.fill(balance, 1000);
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= 3000; seq++) {
      int from = random.nextInt(ACCOUNTS);
      int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
      long amount = 1 + random.nextInt(50);
      balance[from] -= amount;
      balance[to] += amount;
      txs.add(tx(seq, update(accounts, columns, List.of(), from, balance[from]),
          update(accounts, columns, List.of(), to, balance[to])));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String url = postgres.cluster().createDatabase("bank" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE bank (id bigint PRIMARY KEY, balance bigint NOT NULL)");
      st.execute("INSERT INTO bank SELECT g, 1000 FROM generate_series(0, " + (ACCOUNTS - 1) + ") g");
    }
    AtomicBoolean done = new AtomicBoolean();
    List<Long> wrongTotals = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicLong reads = new AtomicLong();
    Thread reader = Thread.ofPlatform().start(() -> {
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        while (!done.get()) {
          try (ResultSet rs = st.executeQuery("SELECT sum(balance) FROM bank")) {
            rs.next();
            reads.incrementAndGet();
            if (rs.getLong(1) != ACCOUNTS * 1000L) {
              wrongTotals.add(rs.getLong(1));
            }
          }
        }
      } catch (java.sql.SQLException e) {
        wrongTotals.add(-1L);
      }
    });
    ApplyConfig config = ApplyConfig.defaults("bank", "src").withParallel(new ApplyConfig.Parallel(8));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
    } finally {
      done.set(true);
      reader.join();
    }
    assertThat(reads.get()).as("reads made while applying").isPositive();
    assertThat(wrongTotals).as("totals other than the primary's seen by the reader").isEmpty();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT balance FROM bank ORDER BY id")) {
      for (long want : balance) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(want);
      }
    }
  }

  /**
   * Relaxed commit order, stopped with known holes: the replica has applied 1..100 and 150..200
   * (its rows say so, marked {@code before}), and its row's journal position is after 100. Applied
   * from there with 4 workers, exactly 101..149 and 201..300 are applied — one of 150..200 applied
   * again would be a duplicate key, which stops the replica — and the set ends contiguous.
   */
  @Test
  void relaxedOrderAppliesTheHolesAndOnlyTheHoles() throws Exception {
    List<Column> columns = cols("id:int8", "note:text");
    TableId t = table("holes");
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= 300; seq++) {
      txs.add(tx(seq, new dev.ferry.journal.model.Change.Insert(t, columns, row(seq, "from the journal"))));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String url = postgres.cluster().createDatabase("holes" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE holes (id bigint PRIMARY KEY, note text NOT NULL)");
    }
    ApplyConfig serial = ApplyConfig.defaults("r1", "src");
    dev.ferry.journal.model.JournalPosition after100;
    try (Applier applier = ParallelApplier.open(serial, () -> DriverManager.getConnection(url),
        InstantSource.system()); JournalReader reader = JournalReader.openAtOldest(journal)) {
      for (int i = 0; i < 100; i++) {
        JournalTransaction tx = reader.next(Duration.ZERO).orElseThrow();
        applier.apply(tx, tx.nextPosition());
      }
      applier.flush();
      after100 = applier.position().journalPosition().orElseThrow();
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO holes SELECT g, 'before' FROM generate_series(150, 200) g");
      st.execute("UPDATE _ferry.replication_control SET applied_gtids = '0:100:150-200'");
    }
    ApplyConfig relaxed = serial.withParallel(new ApplyConfig.Parallel(4, ApplyConfig.CommitOrder.RELAXED));
    try (Applier applier = ParallelApplier.open(relaxed, () -> DriverManager.getConnection(url),
        InstantSource.system()); JournalReader reader = JournalReader.openAt(journal, after100)) {
      Optional<JournalTransaction> next;
      while ((next = reader.next(Duration.ZERO)).isPresent()) {
        applier.apply(next.get(), next.get().nextPosition());
      }
      applier.flush();
      assertThat(applier.skippedTransactions()).isEqualTo(51);
      assertThat(applier.position().applied().toString()).isEqualTo("0:300");
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE note = 'before'),"
            + " count(*) FILTER (WHERE note = 'before' AND id BETWEEN 150 AND 200) FROM holes")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(300L, 51L, 51L);
    }
  }

  /** DDL that changes a table's shape runs alone, and every worker then writes the new shape. */
  @ParameterizedTest(name = "commit order {0}")
  @org.junit.jupiter.params.provider.EnumSource(ApplyConfig.CommitOrder.class)
  void workersWriteTheNewShapeAfterDdl(ApplyConfig.CommitOrder order) throws Exception {
    TableId shape = table("shape");
    List<Column> before = cols("id:int8", "a:text");
    List<Column> after = cols("id:int8", "a:text", "b:text");
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= 60; seq++) {
      txs.add(tx(seq, new dev.ferry.journal.model.Change.Insert(shape, before, row(seq, "a" + seq))));
    }
    txs.add(dev.ferry.journal.fixtures.Transactions.txAt(61, 2,
        new dev.ferry.journal.model.Change.Ddl("ALTER TABLE public.shape ADD COLUMN b text", "public", 2)));
    for (int seq = 62; seq <= 200; seq++) {
      int id = seq <= 120 ? seq - 61 : seq; // first rewrite rows 1..59, then insert new ones
      dev.ferry.journal.model.Change change = seq <= 120
          ? update(shape, after, List.of(), id, "a" + id, "b" + id)
          : new dev.ferry.journal.model.Change.Insert(shape, after, row(id, "a" + id, "b" + id));
      txs.add(dev.ferry.journal.fixtures.Transactions.txAt(seq, 2, change));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String url = postgres.cluster().createDatabase("shape" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE shape (id bigint PRIMARY KEY, a text)");
    }
    ApplyConfig config = ApplyConfig.defaults("r1", "src").withParallel(new ApplyConfig.Parallel(4, order));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
      assertThat(applier.position().applied().toString()).isEqualTo("0:200");
      assertThat(applier.position().schemaSequence()).hasValue(2);
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(b), count(*) FILTER (WHERE b = 'b' || id) FROM shape")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(140L, 139L, 139L);
    }
  }

  /**
   * A worker that stops (an insert whose key the replica already holds, at 0-1-150) stops the
   * others, and what the applier throws is that stop naming its GTID, not what aborting the other
   * workers made them throw.
   */
  @ParameterizedTest(name = "commit order {0}")
  @org.junit.jupiter.params.provider.EnumSource(ApplyConfig.CommitOrder.class)
  void aWorkersStopIsWhatTheApplierThrows(ApplyConfig.CommitOrder order) throws Exception {
    List<Column> columns = cols("id:int8", "note:text");
    TableId t = table("stops");
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= 300; seq++) {
      txs.add(tx(seq, new dev.ferry.journal.model.Change.Insert(t, columns, row(seq, "from the journal"))));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String url = postgres.cluster().createDatabase("stops" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE stops (id bigint PRIMARY KEY, note text NOT NULL)");
      st.execute("INSERT INTO stops VALUES (150, 'already here')");
    }
    ApplyConfig config = ApplyConfig.defaults("r1", "src").withParallel(new ApplyConfig.Parallel(4, order));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      assertThatThrownBy(() -> TestJournals.applyAll(applier, journal)).isInstanceOf(ApplyException.class)
          .hasMessageContaining("0-1-150").hasMessageNotContaining("aborted");
    }
  }

  @Test
  void aSqliteTargetRefusesMoreThanOneWorkerNamingTheSetting() throws Exception {
    try (SqliteDatabase lite = SqliteDatabase.create()) {
      ApplyConfig config = ApplyConfig.defaults("lite", "src").withParallel(new ApplyConfig.Parallel(4));
      assertThatThrownBy(() -> ParallelApplier.open(config, lite::connect, InstantSource.system()))
          .isInstanceOf(ApplyException.class)
          .hasMessageContaining("[replica lite] apply.workers is 4, but a SQLite target takes one writer at a time")
          .hasMessageContaining("set apply.workers to 1");
    }
  }

  private static void createTables(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE par_a (id bigint PRIMARY KEY, email text UNIQUE, v bigint)");
      st.execute("CREATE TABLE par_b (id bigint PRIMARY KEY, v bigint)");
      st.execute("CREATE TABLE par_k (x bigint, y bigint)");
    }
  }

  private static ModelWorkload.State stateOf(String url) throws Exception {
    ModelWorkload.State state = new ModelWorkload.State();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT id, email, v FROM par_a")) {
        while (rs.next()) {
          state.a.put(rs.getLong(1), row(rs.getLong(1), rs.getString(2), rs.getLong(3)));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT id, v FROM par_b")) {
        while (rs.next()) {
          state.b.put(rs.getLong(1), row(rs.getLong(1), rs.getLong(2)));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT x, y FROM par_k")) {
        while (rs.next()) {
          state.k.add(row(rs.getLong(1), rs.getLong(2)));
        }
      }
    }
    return state;
  }
}
