package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static dev.ferry.capture.postgres.PgTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.replication.LogSequenceNumber;

@Timeout(120)
class PostgresDurabilityTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  private static long confirmedFlush(PostgresSourceConfig config) throws SQLException {
    return LogSequenceNumber.valueOf(scalar(config, "SELECT confirmed_flush_lsn FROM pg_replication_slots "
        + "WHERE slot_name = '" + config.slotName() + "'")).asLong();
  }

  private static long currentWal(PostgresSourceConfig config) throws SQLException {
    return LogSequenceNumber.valueOf(scalar(config, "SELECT pg_current_wal_lsn()")).asLong();
  }

  @Test
  void confirmsTheSlotOnlyAfterTheSinkMadeTheTransactionDurable() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "confirm");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink)) {
      sink.holdDurability(true);
      long before = currentWal(config);
      exec(config, "INSERT INTO items VALUES (1)");
      Thread.sleep(1500);
      assertThat(confirmedFlush(config)).isLessThanOrEqualTo(before);

      sink.holdDurability(false);
      long commitLsn = capturing.awaitTransactions(1).getFirst().sourcePosition().value();
      capturing.await(() -> uncheckedConfirmed(config) > commitLsn, "slot confirmed past the commit");
    }
  }

  @Test
  void restartingFromTheSlotDropsTransactionsTheSinkAlreadyHas() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "dedup");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    // The sink keeps every transaction but never says so: a crash after the journal's fsync and
    // before the slot was confirmed.
    MemorySink first = new MemorySink();
    CrashBeforeConfirm crashing = new CrashBeforeConfirm(first);
    PostgresCapture capture = PostgresCapture.start(config, crashing);
    assertThat(capture.awaitStreaming(java.time.Duration.ofSeconds(30))).isTrue();
    for (int i = 1; i <= 5; i++) {
      exec(config, "INSERT INTO items VALUES (" + i + ")");
    }
    while (first.transactions().size() < 5) {
      Thread.sleep(20);
    }
    capture.close();
    long firstCommit = first.transactions().getFirst().sourcePosition().value();
    assertThat(confirmedFlush(config)).isLessThan(firstCommit);

    MemorySink restarted = new MemorySink(first.transactions());
    try (Capturing capturing = Capturing.start(config, restarted)) {
      exec(config, "INSERT INTO items VALUES (6)", "INSERT INTO items VALUES (7)");
      List<Transaction> txs = capturing.awaitTransactions(7);
      Thread.sleep(500);
      txs = restarted.transactions();
      assertThat(txs).hasSize(7);
      assertThat(txs).extracting(Transaction::gtid)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, 7).mapToObj(s -> new Gtid(0, 1, s)).toList());
      assertThat(txs).extracting(Transaction::sourcePosition).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void reconnectsAfterTheConnectionIsKilledAndLosesOrRepeatsNothing() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "reconnect");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      for (int i = 1; i <= 10; i++) {
        exec(config, "INSERT INTO items VALUES (" + i + ")");
        if (i % 3 == 0) {
          exec(config, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
              + config.slotName() + "'");
        }
      }
      capturing.awaitTransactions(10);
      Thread.sleep(500);
      List<Transaction> txs = capturing.sink.transactions();
      assertThat(txs).hasSize(10);
      assertThat(txs).extracting(t -> t.gtid().seq()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(txs).extracting(Transaction::sourcePosition).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void idleSourceAndChangesToUnselectedTablesStillAdvanceTheSlot() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "idle")
        .withTables(List.of("public\\.selected"), List.of());
    exec(config, "CREATE TABLE selected (id int PRIMARY KEY)", "CREATE TABLE other (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      long start = confirmedFlush(config);
      long restartStart = restartLsn(config);
      for (int i = 1; i <= 20; i++) {
        exec(config, "INSERT INTO other VALUES (" + i + ")");
      }
      // A checkpoint logs the running transactions, which is where the slot may move restart_lsn.
      exec(config, "CHECKPOINT");
      long walEnd = currentWal(config);
      assertThat(walEnd).isGreaterThan(start);
      capturing.await(() -> uncheckedConfirmed(config) >= walEnd, "slot confirmed up to the WAL end");
      capturing.await(() -> unchecked(() -> restartLsn(config)) > restartStart, "restart_lsn to advance");
      assertThat(capturing.sink.transactions()).isEmpty();
    }
  }

  private static long restartLsn(PostgresSourceConfig config) throws SQLException {
    return LogSequenceNumber.valueOf(scalar(config, "SELECT restart_lsn FROM pg_replication_slots "
        + "WHERE slot_name = '" + config.slotName() + "'")).asLong();
  }

  private interface SqlLong {
    long get() throws SQLException;
  }

  private static long unchecked(SqlLong value) {
    try {
      return value.get();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long uncheckedConfirmed(PostgresSourceConfig config) {
    try {
      return confirmedFlush(config);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps everything, completes no future. */
  private record CrashBeforeConfirm(MemorySink inner) implements TransactionSink {
    @Override
    public Optional<ResumePoint> resumePoint() {
      return inner.resumePoint();
    }

    @Override
    public CompletableFuture<?> append(Transaction transaction) {
      inner.append(transaction);
      return new CompletableFuture<>();
    }

    @Override
    public LargeTransaction beginLarge(Gtid gtid) {
      return inner.beginLarge(gtid);
    }
  }
}
