package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Catch-up throughput of the PostgreSQL applier on pgbench-shaped transactions (UPDATE of an
 * account, INSERT into the keyless history): 100 transactions per group and the default grouping
 * (1000), in paired turns. Prints transactions per second;
 * asserts only the outcome, never the time. Run with
 * {@code ./mvnw -o -Dferry.target=target-perf -pl ferry-apply test -Dtest=ApplyThroughputBench -Dferry.bench=true}.
 */
@EnabledIfSystemProperty(named = "ferry.bench", matches = "true")
class ApplyThroughputBench {
  private static final int ACCOUNTS = 100_000;
  private static final int TRANSACTIONS = 20_000;
  private static final TableId ACCOUNTS_TABLE = table("pgbench_accounts");
  private static final TableId HISTORY_TABLE = table("pgbench_history");
  private static final List<Column> ACCOUNT_COLUMNS = cols("aid:int4", "bid:int4", "abalance:int4", "filler:bpchar");
  private static final List<Column> HISTORY_COLUMNS =
      cols("tid:int4", "bid:int4", "aid:int4", "delta:int4", "mtime:timestamp", "filler:bpchar");

  /** The default grouping before 1000 transactions per group: the baseline beside the default. */
  private static final ApplyConfig.Grouping SMALL = new ApplyConfig.Grouping(100, 8L << 20, Duration.ofMillis(200));

  @Test
  @Timeout(900)
  void appliesPgbenchShapedBacklog() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(Map.of("synchronous_commit", "off"))) {
      // Paired turns on fresh databases: 100 transactions per group, then the default (1000).
      for (int turn = 1; turn <= 2; turn++) {
        double base = run(cluster, "bench_100_" + turn, SMALL);
        double big = run(cluster, "bench_default_" + turn, ApplyConfig.Grouping.DEFAULT);
        System.out.printf("ApplyThroughputBench turn %d: 100 per group %.0f tx/s, default (1000) %.0f tx/s"
            + " (%.2fx)%n", turn, base, big, big / base);
      }
    }
  }

  private static double run(PostgresCluster cluster, String database, ApplyConfig.Grouping grouping)
      throws Exception {
    String url = cluster.createDatabase(database);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
      st.execute("INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, " + ACCOUNTS + ") g");
      st.execute("CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
          + " filler char(22))");
    }
    int[] balances = new int[ACCOUNTS + 1];
    List<Transaction> txs = workload(balances);
    ApplyConfig config = ApplyConfig.defaults("bench", UUID.randomUUID().toString()).withGrouping(grouping);
    long started = System.nanoTime();
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      for (Transaction t : txs) {
        applier.apply(t);
      }
      applier.flush();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("ApplyThroughputBench: %d transactions in %.2f s = %.0f tx/s (grouping %s)%n", TRANSACTIONS,
        seconds, TRANSACTIONS / seconds, grouping);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM pgbench_history),"
            + " (SELECT sum(abalance) FROM pgbench_accounts)")) {
      rs.next();
      long sum = 0;
      for (int b : balances) {
        sum += b;
      }
      assertThat(rs.getLong(1)).isEqualTo(TRANSACTIONS);
      assertThat(rs.getLong(2)).isEqualTo(sum);
    }
    return TRANSACTIONS / seconds;
  }

  private static List<Transaction> workload(int[] balances) {
    SplittableRandom random = new SplittableRandom(42);
    List<Transaction> txs = new ArrayList<>(TRANSACTIONS);
    for (int i = 1; i <= TRANSACTIONS; i++) {
      int aid = random.nextInt(1, ACCOUNTS + 1);
      int delta = random.nextInt(-5000, 5001);
      balances[aid] += delta;
      Change update = new Change.Update(ACCOUNTS_TABLE, ACCOUNT_COLUMNS, Change.OldImage.NONE, List.of(),
          Transactions.row(aid, 1, balances[aid], ""));
      Change history = insert(HISTORY_TABLE, HISTORY_COLUMNS, 1, 1, aid, delta, "2026-01-01 00:00:00", "");
      txs.add(tx(i, update, history));
    }
    return txs;
  }
}
