package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.RetriesExhaustedException;
import dev.ferry.apply.jdbc.TargetOutage;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The retry bound of a parallel apply worker, against a real induced failure: a deferred
 * constraint trigger on the PostgreSQL replica makes the commit of the target transaction that
 * holds row 50 fail with {@code 40P01} (deadlock_detected) for its first k attempts, counted by a
 * sequence (a sequence is not transactional, so the count survives each rollback). With k one
 * below the bound (3 attempts) the worker's third attempt commits: every transaction once. With k
 * at the bound the applier stops with a {@link RetriesExhaustedException} naming {@code 0-1-50}
 * (not an outage: a runner does not reconnect for it), nothing of 50 is committed; a new applier
 * (the restart) resumes there and applies each transaction once. {@code WorkerDeadlockRetryTest}
 * shows a real two-session deadlock retried once.
 */
@Timeout(120)
class WorkerRetryBoundTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int TRANSACTIONS = 100;
  private static final int FAULTY = 50;
  private static final int BOUND = 3;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "commit order {0}")
  @EnumSource(ApplyConfig.CommitOrder.class)
  void aCommitFailingBelowTheBoundIsRetriedUntilItCommits(ApplyConfig.CommitOrder order) throws Exception {
    String url = replicaFailingCommits(BOUND - 1);
    Path journal = TestJournals.write(dir.resolve("journal"), transactions());
    try (Applier applier = open(url, order)) {
      TestJournals.applyAll(applier, journal);
      assertThat(applier.position().applied().toString()).isEqualTo("0:" + TRANSACTIONS);
    }
    assertThat(attempts(url)).as("attempts at the commit of row " + FAULTY).isEqualTo(BOUND);
    assertEachRowOnce(url);
  }

  @ParameterizedTest(name = "commit order {0}")
  @EnumSource(ApplyConfig.CommitOrder.class)
  void aCommitFailingAtTheBoundStopsNamingTheGtidAndARestartResumesThere(ApplyConfig.CommitOrder order)
      throws Exception {
    String url = replicaFailingCommits(BOUND);
    Path journal = TestJournals.write(dir.resolve("journal"), transactions());
    Gtid faulty = new Gtid(0, 1, FAULTY);
    try (Applier applier = open(url, order)) {
      RetriesExhaustedException stop = catchThrowableOfType(RetriesExhaustedException.class,
          () -> TestJournals.applyAll(applier, journal));
      assertThat(stop).as("the applier stops").isNotNull();
      assertThat(stop.gtid()).contains(faulty);
      assertThat(stop.getMessage()).startsWith("[replica rb] cannot commit " + faulty)
          .contains("40P01").contains("after " + BOUND + " attempts");
      assertThat(TargetOutage.isTransient(stop)).as("an outage a runner waits out").isFalse();
    }
    try (Applier restarted = open(url, order)) {
      GtidSet atRestart = restarted.position().applied();
      assertThat(atRestart.contains(faulty)).as("%s in %s", faulty, atRestart).isFalse();
      for (int seq = 1; seq < FAULTY; seq++) {
        assertThat(atRestart.contains(new Gtid(0, 1, seq))).as("0-1-%d in %s", seq, atRestart).isTrue();
      }
      assertThat(attempts(url)).isEqualTo(BOUND);
      TestJournals.applyAll(restarted, journal);
      assertThat(restarted.position().applied().toString()).isEqualTo("0:" + TRANSACTIONS);
    }
    assertThat(attempts(url)).as("one more attempt after the restart").isEqualTo(BOUND + 1);
    assertEachRowOnce(url);
  }

  private static Applier open(String url, ApplyConfig.CommitOrder order) throws Exception {
    ApplyConfig config = ApplyConfig.defaults("rb", "src").withParallel(new ApplyConfig.Parallel(4, order))
        .withGrouping(ApplyConfig.Grouping.NONE)
        .withRetry(new ApplyConfig.Retry(BOUND, Duration.ofMillis(10), Duration.ofMillis(40)));
    return ParallelApplier.open(config, () -> DriverManager.getConnection(url), InstantSource.system());
  }

  private static List<Transaction> transactions() {
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= TRANSACTIONS; seq++) {
      txs.add(tx(seq, insert(table("rb_log"), cols("id:int8"), seq)));
    }
    return txs;
  }

  /** A new replica database whose commits holding row {@value #FAULTY} of rb_log fail with 40P01 {@code k} times. */
  private static String replicaFailingCommits(int k) throws Exception {
    String url = postgres.cluster().createDatabase("retrybound" + DATABASES.incrementAndGet());
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE rb_log (id bigint PRIMARY KEY)");
      st.execute("CREATE SEQUENCE rb_attempts");
      st.execute("CREATE FUNCTION rb_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
          + " DECLARE n bigint := nextval('rb_attempts'); BEGIN"
          + " IF n <= " + k + " THEN RAISE EXCEPTION 'induced deadlock at commit, attempt %', n"
          + " USING ERRCODE = 'deadlock_detected'; END IF; RETURN NULL; END $$");
      st.execute("CREATE CONSTRAINT TRIGGER rb_fail AFTER INSERT ON rb_log DEFERRABLE INITIALLY DEFERRED"
          + " FOR EACH ROW WHEN (NEW.id = " + FAULTY + ") EXECUTE FUNCTION rb_fail()");
      st.execute("ALTER TABLE rb_log ENABLE ALWAYS TRIGGER rb_fail"); // also under session_replication_role = replica
    }
    return url;
  }

  private static long attempts(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM rb_attempts")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void assertEachRowOnce(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM rb_log")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
          .containsExactly((long) TRANSACTIONS, (long) TRANSACTIONS, 1L, (long) TRANSACTIONS);
    }
  }
}
