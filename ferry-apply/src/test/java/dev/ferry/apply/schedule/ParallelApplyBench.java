package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up from the journal with 1 and 4 parallel apply workers (commit order kept and relaxed) on
 * pgbench-like transactions: an UPDATE of one of 100,000 accounts and an INSERT into a ledger keyed
 * by UUID (pgbench's own history table has no key, which makes every transaction a whole-table
 * writer of it, and its branches row is shared by all: neither parallelises). Paired turns on fresh
 * databases; prints transactions per second; asserts only the outcome. Run with
 * {@code ./mvnw -o -pl ferry-apply -am verify -Dtest=ParallelApplyBench -Dsurefire.failIfNoSpecifiedTests=false -Dferry.bench=true}.
 */
@EnabledIfSystemProperty(named = "ferry.bench", matches = "true")
class ParallelApplyBench {
  private static final int ACCOUNTS = 100_000;
  private static final int TRANSACTIONS = 20_000;
  private static final TableId ACCOUNTS_TABLE = table("accounts");
  private static final TableId LEDGER = table("ledger");
  private static final List<Column> ACCOUNT_COLUMNS = cols("aid:int8", "abalance:int8");
  private static final List<Column> LEDGER_COLUMNS = cols("id:uuid", "aid:int8", "delta:int8");

  @TempDir Path dir;

  @Test
  @Timeout(1800)
  void oneVersusFourWorkers() throws Exception {
    Path journal = journal();
    record Setting(int workers, ApplyConfig.CommitOrder order) {
    }
    List<Setting> settings = List.of(new Setting(1, ApplyConfig.CommitOrder.KEPT),
        new Setting(4, ApplyConfig.CommitOrder.KEPT), new Setting(4, ApplyConfig.CommitOrder.RELAXED));
    try (PostgresCluster pg = PostgresCluster.start()) {
      int database = 0;
      for (int turn = 0; turn < 2; turn++) {
        for (Setting s : settings) {
          String url = pg.createDatabase("bench" + database++);
          try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE accounts (aid bigint PRIMARY KEY, abalance bigint NOT NULL)");
            st.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + ACCOUNTS + ") g");
            st.execute("CREATE TABLE ledger (id uuid PRIMARY KEY, aid bigint NOT NULL, delta bigint NOT NULL)");
            st.execute("VACUUM ANALYZE accounts");
          }
          ApplyConfig config = ApplyConfig.defaults("bench", "src")
              .withParallel(new ApplyConfig.Parallel(s.workers(), s.order()));
          long start = System.nanoTime();
          try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
              InstantSource.system()); JournalReader reader = JournalReader.openAtOldest(journal)) {
            Optional<JournalTransaction> next;
            while ((next = reader.next(Duration.ZERO)).isPresent()) {
              applier.apply(next.get(), next.get().nextPosition());
            }
            applier.flush();
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          System.out.printf("parallel apply bench: turn %d, %d workers, commit order %s: %d transactions in %.2f s,"
              + " %.0f transactions/s%n", turn + 1, s.workers(), s.order(), TRANSACTIONS, seconds,
              TRANSACTIONS / seconds);
          try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT count(*) FROM ledger")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(TRANSACTIONS);
          }
        }
      }
    }
  }

  private Path journal() throws Exception {
    SplittableRandom random = new SplittableRandom(15);
    long[] balance = new long[ACCOUNTS + 1];
    Path journal = dir.resolve("journal");
    try (Journal j = Journal.open(JournalConfig.defaults(journal))) {
      CompletableFuture<?> last = null;
      for (int seq = 1; seq <= TRANSACTIONS; seq++) {
        int aid = 1 + random.nextInt(ACCOUNTS);
        long delta = random.nextInt(10_001) - 5000;
        balance[aid] += delta;
        Transaction t = tx(seq, update(ACCOUNTS_TABLE, ACCOUNT_COLUMNS, List.of(), aid, balance[aid]),
            new Change.Insert(LEDGER, LEDGER_COLUMNS, row(new UUID(seq, aid), aid, delta)));
        last = j.append(t);
      }
      last.get();
    }
    return journal;
  }
}
