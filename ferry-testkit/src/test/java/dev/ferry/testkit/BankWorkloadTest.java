package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class BankWorkloadTest {

  @Test
  void keepsTheTotalBalanceUnderConcurrentClientsOnPostgres() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start()) {
      String url = pg.createDatabase("bank");
      keepsTotalBalance(BankWorkload.Dialect.POSTGRES, () -> java.sql.DriverManager.getConnection(url));
    }
  }

  @Test
  void keepsTheTotalBalanceUnderConcurrentClientsOnSqlite() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create()) {
      keepsTotalBalance(BankWorkload.Dialect.SQLITE, db::connect);
    }
  }

  @Test
  void issuesTheSameTransactionsForTheSameSeed() throws Exception {
    try (SqliteDatabase one = SqliteDatabase.create(); SqliteDatabase two = SqliteDatabase.create();
        Connection a = one.connect(); Connection b = two.connect()) {
      var outcomesA = new java.util.ArrayList<WorkloadClient.Outcome>();
      var outcomesB = new java.util.ArrayList<WorkloadClient.Outcome>();
      for (var pair : java.util.List.of(java.util.Map.entry(a, outcomesA), java.util.Map.entry(b, outcomesB))) {
        BankWorkload bank = new BankWorkload(BankWorkload.Dialect.SQLITE, 20);
        bank.createSchema(pair.getKey());
        bank.load(pair.getKey());
        WorkloadClient client = bank.client(3, 7);
        for (int i = 0; i < 200; i++) {
          pair.getValue().add(client.step(pair.getKey()));
        }
      }
      assertThat(outcomesA).isEqualTo(outcomesB).contains(WorkloadClient.Outcome.CLOSE_ACCOUNT,
          WorkloadClient.Outcome.DELETE_DOCUMENT, WorkloadClient.Outcome.OPEN_ACCOUNT);
      a.setAutoCommit(true);
      b.setAutoCommit(true);
      assertThat(TableDigest.ofAll(a, BankWorkload.TABLES).values())
          .containsExactlyElementsOf(TableDigest.ofAll(b, BankWorkload.TABLES).values());
    }
  }

  private static void keepsTotalBalance(BankWorkload.Dialect dialect, WorkloadRunner.ConnectionSource source)
      throws Exception {
    BankWorkload bank = new BankWorkload(dialect, 100);
    try (Connection c = source.open()) {
      bank.createSchema(c);
      bank.load(c);
      long expected = 100 * BankWorkload.INITIAL_BALANCE;
      assertThat(BankWorkload.totalBalance(c)).isEqualTo(expected);
      WorkloadRunner runner = WorkloadRunner.start(bank, source, 4, 11);
      for (int i = 1; i <= 5; i++) {
        runner.awaitCommitted(150L * i, Duration.ofSeconds(60));
        assertThat(BankWorkload.totalBalance(c)).as("total balance while clients run").isEqualTo(expected);
      }
      WorkloadRunner.Stats stats = runner.stop();
      assertThat(stats.committed()).isGreaterThanOrEqualTo(750);
      assertThat(BankWorkload.totalBalance(c)).isEqualTo(expected);
    }
  }
}
