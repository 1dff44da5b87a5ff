package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel apply workers inserting ascending keys into one MariaDB table do not deadlock: each of
 * 1200 transactions inserts 4 rows with keys above every key before it (as the benchmark's history
 * table), so the workers' inserts meet in the gap at the end of the primary key. Under InnoDB's
 * REPEATABLE READ the {@code NOT EXISTS} read of Ferry's idempotent insert took a shared lock on
 * that gap and two workers deadlocked on each other's insert-intention lock (checked: with the
 * sessions left at REPEATABLE READ, commit 1527219, before the fix, this test
 * counted 8 retries); at READ COMMITTED, as Ferry's MariaDB sessions run, it counts none. Every row
 * is applied once and the applied set is contiguous; {@code conflictCounts()} of a parallel applier
 * that counted no conflict is empty (it threw before).
 */
@Timeout(300)
class MariaDbAscendingInsertsTest {
  private static final int TRANSACTIONS = 1200;
  private static final int ROWS = 4;
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  @TempDir Path dir;

  @Test
  void workersInsertingAscendingKeysNeverDeadlock() throws Exception {
    TableId history = table("history");
    List<Column> columns = cols("id:int8", "v:int8");
    List<Transaction> txs = new ArrayList<>();
    for (int seq = 1; seq <= TRANSACTIONS; seq++) {
      Change[] rows = new Change[ROWS];
      for (int r = 0; r < ROWS; r++) {
        rows[r] = insert(history, columns, (long) seq * ROWS + r, seq);
      }
      txs.add(tx(seq, rows));
    }
    Path journal = TestJournals.write(dir.resolve("journal"), txs);
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase("ascending"));
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    String url = u.toString();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE history (id BIGINT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB");
    }
    ApplyConfig config = ApplyConfig.defaults("asc", "src")
        .withParallel(new ApplyConfig.Parallel(4, ApplyConfig.CommitOrder.KEPT));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      TestJournals.applyAll(applier, journal);
      assertThat(applier.position().applied().toString()).isEqualTo("0:" + TRANSACTIONS);
      assertThat(applier.retries()).as("retries of units after a deadlock").isZero();
      assertThat(applier.conflictCounts()).as("no conflict (and no EnumMap of an empty map)").isEmpty();
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM history")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
          .containsExactly((long) TRANSACTIONS * ROWS, (long) TRANSACTIONS * ROWS, (long) ROWS,
              (long) TRANSACTIONS * ROWS + ROWS - 1);
    }
  }
}
