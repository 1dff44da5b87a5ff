package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real deadlock in one parallel apply worker is retried by that worker alone: a session on the
 * replica locks account 1; the worker applying transaction 100 (account 2, then account 1) waits
 * for it; the session then asks for account 2, and PostgreSQL aborts the worker's transaction
 * ({@code 40P01}: the worker's {@code deadlock_timeout} is the shorter). Every one of 200
 * transactions is applied exactly once (each inserts one log row), the applied set is contiguous
 * and the accounts end as the source left them.
 */
@Timeout(180)
class WorkerDeadlockRetryTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int TRANSACTIONS = 200;
  private static final int CROSSING = 100;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @EnumSource(ApplyConfig.CommitOrder.class)
  void aDeadlockedWorkerRetriesItsUnitWithoutLosingOrRepeatingATransaction(ApplyConfig.CommitOrder order)
      throws Exception {
    TableId log = table("dl_log");
    TableId accounts = table("dl_account");
    List<Column> logCols = cols("id:int8");
    List<Column> accountCols = cols("id:int8", "v:int8");
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= TRANSACTIONS; seq++) {
      Change entry = insert(log, logCols, seq);
      txs.add(seq == CROSSING
          ? tx(seq, entry, update(accounts, accountCols, List.of(), 2, 200), update(accounts, accountCols, List.of(), 1, 100))
          : tx(seq, entry));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    String database = "deadlock" + DATABASES.incrementAndGet();
    String url = postgres.cluster().createDatabase(database);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE dl_log (id bigint PRIMARY KEY)");
      st.execute("CREATE TABLE dl_account (id bigint PRIMARY KEY, v bigint NOT NULL)");
      st.execute("INSERT INTO dl_account VALUES (1, 0), (2, 0)");
    }
    ApplyConfig config = ApplyConfig.defaults("dl", "src").withParallel(new ApplyConfig.Parallel(4, order));
    try (Connection other = DriverManager.getConnection(url); Statement st = other.createStatement();
        Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
            InstantSource.system())) {
      other.setAutoCommit(false);
      st.execute("SET deadlock_timeout = '60s'"); // the worker, at the default 1 s, is the one aborted
      st.execute("UPDATE dl_account SET v = -1 WHERE id = 1");
      int holder;
      try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        holder = rs.getInt(1);
      }
      CompletableFuture<Void> applying = CompletableFuture.runAsync(() -> {
        try {
          TestJournals.applyAll(applier, journal);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      awaitAWorkerBlockedBy(url, holder);
      st.execute("UPDATE dl_account SET v = -2 WHERE id = 2"); // returns once the worker is aborted
      other.commit();
      applying.get();
      assertThat(applier.position().applied().toString()).isEqualTo("0:" + TRANSACTIONS);
    }
    assertThat(deadlocks(url, database)).as("deadlocks PostgreSQL detected in " + database).isPositive();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM dl_log), (SELECT count(DISTINCT id) FROM dl_log),"
            + " (SELECT v FROM dl_account WHERE id = 1), (SELECT v FROM dl_account WHERE id = 2)")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
          .containsExactly((long) TRANSACTIONS, (long) TRANSACTIONS, 100L, 200L);
    }
  }

  /** Waits until a session (the worker at transaction 100) waits for a lock {@code holder} holds. */
  private static void awaitAWorkerBlockedBy(String url, int holder) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
            + " WHERE ? = ANY (pg_blocking_pids(pid))")) {
      ps.setInt(1, holder);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no worker waited for the locked account within 60 s");
  }

  /** Deadlocks counted in {@code database}'s statistics (flushed within seconds: waits up to 20 s for one). */
  private static long deadlocks(String url, String database) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("SELECT deadlocks FROM pg_stat_database WHERE datname = ?")) {
      ps.setString(1, database);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      long count = 0;
      while (count == 0 && System.nanoTime() < deadline) {
        try (Statement st = c.createStatement()) {
          st.execute("SELECT pg_stat_clear_snapshot()");
        }
        try (ResultSet rs = ps.executeQuery()) {
          count = rs.next() ? rs.getLong(1) : 0;
        }
        if (count == 0) {
          Thread.sleep(200);
        }
      }
      return count;
    }
  }
}
