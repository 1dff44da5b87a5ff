package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.JournalSink;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.PostgresClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streaming: on} against a real PostgreSQL whose {@code logical_decoding_work_mem} is its
 * minimum (64 kB), so every transaction of more than a few hundred rows is streamed in progress.
 */
@Timeout(180)
class PostgresStreamedTransactionTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres =
      new PostgresClusterExtension(Map.of("logical_decoding_work_mem", "64kB"));

  @TempDir
  Path dir;

  private static PostgresSourceConfig source(String name) throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), name).withStreaming(true);
    exec(config, "CREATE TABLE items (id bigint PRIMARY KEY, note text)");
    PostgresSetup.setup(config);
    return config;
  }

  private static Connection open(PostgresSourceConfig config) throws Exception {
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    c.setAutoCommit(false);
    return c;
  }

  private static void insert(Connection c, long from, long to) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO items SELECT g, 'row ' || g FROM generate_series(" + from + ", " + to + ") g");
    }
  }

  private static List<Long> ids(Transaction tx) {
    return Capturing.rowChanges(tx).stream()
        .map(c -> Long.parseLong(((Value.Text) ((Change.Insert) c).row().getFirst()).value())).toList();
  }

  private static long journalBytes(Path journal) throws Exception {
    try (Stream<Path> files = Files.list(journal)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d+(-\\d+\\.seg|\\.open)"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void aBigTransactionReachesTheJournalWhileInProgressAndIsReadOnlyAfterItsCommit() throws Exception {
    PostgresSourceConfig config = source("big");
    int rows = 300_000;
    try (Journal journal = Journal.open(JournalConfig.defaults(dir));
        PostgresCapture capture = PostgresCapture.start(config, new JournalSink(journal));
        JournalReader reader = journal.readerAtOldest();
        Connection c = open(config)) {
      assertThat(capture.awaitStreaming(Duration.ofSeconds(60))).isTrue();
      insert(c, 1, rows);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (journalBytes(dir) < 1 << 20) {
        assertThat(capture.failure()).isEmpty();
        assertThat(System.nanoTime()).as("journal grows before COMMIT, holds %d bytes", journalBytes(dir))
            .isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(reader.next(Duration.ofMillis(500))).as("nothing handed out before the source's COMMIT").isEmpty();
      c.commit();
      JournalTransaction tx = reader.next(Duration.ofSeconds(90)).orElseThrow();
      assertThat(tx.chunked()).isTrue();
      assertThat(tx.changeCount()).isEqualTo(rows);
      long n = 0;
      try (var changes = tx.changes()) {
        while (changes.advance()) {
          Change.Insert insert = (Change.Insert) changes.current();
          assertThat(insert.row().getFirst()).isEqualTo(new Value.Text(Long.toString(++n)));
        }
      }
      assertThat(n).isEqualTo(rows);
    }
  }

  @Test
  void anAbortedStreamedTransactionLeavesNothingAndTakesNoGtid() throws Exception {
    PostgresSourceConfig config = source("abort");
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink); Connection c = open(config)) {
      insert(c, 1, 50_000);
      capturing.await(() -> sink.streamedChunks() > 0, "chunks of the open transaction");
      c.rollback();
      exec(config, "INSERT INTO items VALUES (-1, 'after')");
      List<Transaction> txs = capturing.awaitTransactions(1);
      assertThat(txs).hasSize(1);
      assertThat(txs.getFirst().gtid()).isEqualTo(new Gtid(0, 1, 1));
      assertThat(ids(txs.getFirst())).containsExactly(-1L);
    }
  }

  @Test
  void changesOfARolledBackSavepointAreDroppedAndTheRestCommits() throws Exception {
    PostgresSourceConfig config = source("savepoint");
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink); Connection c = open(config);
        Statement st = c.createStatement()) {
      insert(c, 1, 20_000);
      st.execute("SAVEPOINT kept");
      insert(c, 20_001, 30_000);
      st.execute("RELEASE SAVEPOINT kept");
      st.execute("SAVEPOINT outer_sp");
      insert(c, 30_001, 60_000);
      st.execute("SAVEPOINT inner_sp");
      insert(c, 60_001, 70_000);
      st.execute("RELEASE SAVEPOINT inner_sp");
      capturing.await(() -> sink.streamedChunks() > 2, "chunks of the open transaction");
      st.execute("ROLLBACK TO SAVEPOINT outer_sp");
      insert(c, 70_001, 80_000);
      c.commit();
      List<Transaction> txs = capturing.awaitTransactions(1);
      assertThat(txs).hasSize(1);
      List<Long> ids = ids(txs.getFirst());
      assertThat(ids).hasSize(40_000);
      assertThat(ids.subList(0, 30_000)).isEqualTo(Stream.iterate(1L, i -> i + 1).limit(30_000).toList());
      assertThat(ids.subList(30_000, 40_000)).isEqualTo(Stream.iterate(70_001L, i -> i + 1).limit(10_000).toList());
      assertThat(PgTest.scalar(config, "SELECT count(*) FROM items")).isEqualTo("40000");
    }
  }

  @Test
  void interleavedStreamedTransactionsGetGtidsInCommitOrder() throws Exception {
    PostgresSourceConfig config = source("interleaved");
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink); Connection first = open(config);
        Connection second = open(config)) {
      insert(first, 1, 20_000);
      insert(second, 100_001, 120_000);
      insert(first, 20_001, 40_000);
      exec(config, "INSERT INTO items VALUES (-1, 'small, between')");
      capturing.await(() -> sink.streamedChunks() > 2, "chunks of both open transactions");
      second.commit();
      first.commit();
      List<Transaction> txs = capturing.awaitTransactions(3);
      assertThat(txs).extracting(Transaction::gtid).containsExactly(new Gtid(0, 1, 1), new Gtid(0, 1, 2),
          new Gtid(0, 1, 3));
      assertThat(ids(txs.get(0))).containsExactly(-1L);
      assertThat(ids(txs.get(1))).isEqualTo(Stream.iterate(100_001L, i -> i + 1).limit(20_000).toList());
      assertThat(ids(txs.get(2))).isEqualTo(Stream.iterate(1L, i -> i + 1).limit(40_000).toList());
    }
  }
}
