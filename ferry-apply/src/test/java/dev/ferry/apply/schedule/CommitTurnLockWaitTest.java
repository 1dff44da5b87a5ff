package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lock the scheduler cannot see must not hang the commit order. The write sets of the source
 * transactions are disjoint (one new row of lw_entry each), but a trigger on the replica counts
 * every row in one shared lw_total row, so each target transaction locks that row too; the
 * trigger sleeps 1 s before counting row 1. So the worker applying transaction 2 counts first and
 * then, with the order kept, waits for its turn, holding the lock the worker of transaction 1 then
 * waits for: without {@code TurnWait} neither goes on (the target sees no deadlock, one wait is in
 * Ferry) and the test times out. With it the later group sees that it blocks another session, rolls
 * back, lets the earlier one commit and runs again: every row once, the total right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommitTurnLockWaitTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int TRANSACTIONS = 20;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @EnumSource(ApplyConfig.CommitOrder.class)
  void aLaterGroupHoldingALockAnEarlierOneWaitsForGivesWay(ApplyConfig.CommitOrder order) throws Exception {
    String url = postgres.cluster().createDatabase("lockwait" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE lw_entry (id bigint PRIMARY KEY)");
      st.execute("CREATE TABLE lw_total (id int PRIMARY KEY, n bigint NOT NULL)");
      st.execute("INSERT INTO lw_total VALUES (1, 0)");
      st.execute("CREATE FUNCTION lw_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          + " IF NEW.id = 1 THEN PERFORM pg_sleep(1); END IF;"
          + " UPDATE lw_total SET n = n + 1 WHERE id = 1; RETURN NULL; END $$");
      st.execute("CREATE TRIGGER lw_count AFTER INSERT ON lw_entry FOR EACH ROW EXECUTE FUNCTION lw_count()");
      st.execute("ALTER TABLE lw_entry ENABLE ALWAYS TRIGGER lw_count");
    }
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= TRANSACTIONS; seq++) {
      txs.add(tx(seq, insert(table("lw_entry"), cols("id:int8"), seq)));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    ApplyConfig config = ApplyConfig.defaults("lw", "src").withParallel(new ApplyConfig.Parallel(4, order))
        .withGrouping(ApplyConfig.Grouping.NONE);
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url), InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
      assertThat(applier.position().applied().toString()).isEqualTo("0:" + TRANSACTIONS);
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM lw_entry), (SELECT n FROM lw_total)")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2))).containsExactly((long) TRANSACTIONS, (long) TRANSACTIONS);
    }
  }
}
