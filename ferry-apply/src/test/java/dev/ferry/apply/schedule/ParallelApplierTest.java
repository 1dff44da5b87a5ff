package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}, {1} workers")
  @CsvSource({"7, 1", "7, 2", "7, 4", "7, 8", "11, 4", "12, 8"})
  void randomWorkloadEndsAsTheSourceDidWithAnyNumberOfWorkers(long seed, int workers) throws Exception {
    ModelWorkload workload = new ModelWorkload(seed);
    List<Transaction> txs = workload.transactions(TRANSACTIONS);
    Path journal = journal(txs);
    String url = postgres.cluster().createDatabase("par" + DATABASES.incrementAndGet());
    createTables(url);
    ApplyConfig config = ApplyConfig.defaults("r1", "src").withParallel(new ApplyConfig.Parallel(workers));
    try (Applier applier = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      applyAll(applier, journal);
      ReplicaPosition at = applier.position();
      assertThat(at.applied().lowWaterMark(0)).isEqualTo(TRANSACTIONS);
      assertThat(at.applied().hasHoles(0)).isFalse();
    }
    assertThat(stateOf(url).digest()).isEqualTo(workload.state().digest());

    // Applied again from the oldest: everything is skipped, nothing changes.
    try (Applier again = ParallelApplier.open(config, () -> DriverManager.getConnection(url),
        InstantSource.system())) {
      applyAll(again, journal);
      assertThat(again.skippedTransactions()).isEqualTo(TRANSACTIONS);
    }
    assertThat(stateOf(url).digest()).isEqualTo(workload.state().digest());
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

  private Path journal(List<Transaction> txs) throws Exception {
    Path journal = dir.resolve("journal");
    try (Journal j = Journal.open(JournalConfig.defaults(journal))) {
      CompletableFuture<?> last = null;
      for (Transaction t : txs) {
        last = j.append(t);
      }
      last.get();
    }
    return journal;
  }

  private static void applyAll(Applier applier, Path journal) throws Exception {
    try (JournalReader reader = JournalReader.openAtOldest(journal)) {
      Optional<JournalTransaction> next;
      while ((next = reader.next(Duration.ZERO)).isPresent()) {
        applier.apply(next.get(), next.get().nextPosition());
      }
    }
    applier.flush();
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
