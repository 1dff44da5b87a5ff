package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.mariadb.LockTablesPoller;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.MariaDbServerExtension;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CommitTurnLockWaitTest} on MariaDB: a trigger counts every new lw_entry row in one shared
 * lw_total row, sleeping 1 s before counting row 1, so the worker of transaction 2 holds the lock
 * the worker of transaction 1 then waits for while it waits for its commit turn; it must see that
 * and give way, else nothing goes on before {@code innodb_lock_wait_timeout} (50 s) and the test
 * times out. Also with a session reading {@code INNODB_TRX} every 20 ms meanwhile (a monitoring
 * tool), which freezes InnoDB's copy of its lock tables: the wait is not in the copy, and
 * {@link MariaDbDialect#blocksAnotherSession} must still say yes (before it compared the copy with
 * InnoDB's live count of waits, that case timed out).
 */
@Timeout(value = 45, unit = TimeUnit.SECONDS)
class MariaDbCommitTurnLockWaitTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int TRANSACTIONS = 20;
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "lock tables read every 20 ms meanwhile: {0}")
  @ValueSource(booleans = {false, true})
  void aLaterGroupHoldingALockAnEarlierOneWaitsForGivesWay(boolean monitored) throws Exception {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase("lockwait" + DATABASES.incrementAndGet()));
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    String url = u.toString();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE lw_entry (id BIGINT PRIMARY KEY) ENGINE=InnoDB");
      st.execute("CREATE TABLE lw_total (id INT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB");
      st.execute("INSERT INTO lw_total VALUES (1, 0)");
      st.execute("CREATE TRIGGER lw_count AFTER INSERT ON lw_entry FOR EACH ROW BEGIN"
          + " IF NEW.id = 1 THEN DO SLEEP(1); END IF;"
          + " UPDATE lw_total SET n = n + 1 WHERE id = 1; END");
    }
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= TRANSACTIONS; seq++) {
      txs.add(tx(seq, insert(table("lw_entry"), cols("id:int8"), seq)));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    ApplyConfig config = ApplyConfig.defaults("lw", "src")
        .withParallel(new ApplyConfig.Parallel(4, ApplyConfig.CommitOrder.KEPT))
        .withGrouping(ApplyConfig.Grouping.NONE);
    try (AutoCloseable monitor = monitored ? new LockTablesPoller(url) : () -> { };
        Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url), InstantSource.system())) {
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
