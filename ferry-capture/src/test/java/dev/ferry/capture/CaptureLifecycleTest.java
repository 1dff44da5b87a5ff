package dev.ferry.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.postgres.PostgresCapture;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteCapture;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Capture} contract, run against every implementation on a real database: start,
 * stream, mark the source's "now" and see it reached, fail on a failed sink, stop.
 */
@Timeout(120)
class CaptureLifecycleTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  /** One source database of one kind, with a table {@code items(id int primary key)}. */
  private interface Source extends AutoCloseable {
    Capture start(TransactionSink sink) throws IOException;

    String jdbcUrl();

    @Override
    void close() throws IOException;
  }

  private static Source source(String kind) throws SQLException, IOException {
    String table = "CREATE TABLE items (id int PRIMARY KEY)";
    if (kind.equals("postgresql")) {
      String url = postgres.cluster().createDatabase("db_lifecycle_" + DATABASES.incrementAndGet());
      sql(url, table);
      PostgresSourceConfig config = PostgresSourceConfig.of("pg" + DATABASES.get(), url);
      return new Source() {
        public Capture start(TransactionSink sink) throws IOException {
          return PostgresCapture.prepareAndStart(config, sink);
        }

        public String jdbcUrl() {
          return url;
        }

        public void close() {}
      };
    }
    SqliteDatabase db = SqliteDatabase.create();
    sql(db.jdbcUrl(), table);
    SqliteSourceConfig config = SqliteSourceConfig.of("lite", db.jdbcUrl()).withIdlePoll(Duration.ofMillis(20));
    return new Source() {
      public Capture start(TransactionSink sink) throws IOException {
        return SqliteCapture.start(config, sink);
      }

      public String jdbcUrl() {
        return db.jdbcUrl();
      }

      public void close() throws IOException {
        db.close();
      }
    };
  }

  private static void sql(String url, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgresql", "sqlite"})
  void streamsReachesAMarkOfTheSourceNowAndStops(String kind) throws Exception {
    MemorySink sink = new MemorySink();
    try (Source source = source(kind)) {
      Capture capture = source.start(sink);
      try {
        assertThat(capture.awaitStreaming(PATIENCE)).isTrue();
        assertThat(capture.state()).isEqualTo(Capture.State.STREAMING);
        sql(source.jdbcUrl(), "INSERT INTO items VALUES (1)");
        BooleanSupplier reached = capture.markSourceNow(() -> head(sink));
        assertThat(awaitTrue(reached)).as("mark reached").isTrue();
        assertThat(inserts(sink)).isEqualTo(1);
        assertThat(capture.failure()).isEmpty();
      } finally {
        capture.close();
      }
      capture.close(); // idempotent
      assertThat(capture.failure()).isEmpty();
      assertThat(capture.state()).isNotEqualTo(Capture.State.FAILED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgresql", "sqlite"})
  void aSinkThatCannotMakeATransactionDurableStopsCaptureAsFailed(String kind) throws Exception {
    try (Source source = source(kind)) {
      Capture capture = source.start(new FailingSink());
      try {
        assertThat(capture.awaitStreaming(PATIENCE)).isTrue();
        sql(source.jdbcUrl(), "INSERT INTO items VALUES (1)");
        assertThat(awaitTrue(() -> capture.state() == Capture.State.FAILED)).as("failed").isTrue();
        assertThat(capture.failure()).isPresent();
        assertThat(capture.failure().get()).hasStackTraceContaining("disk on fire");
      } finally {
        capture.close();
      }
    }
  }

  private static Optional<SourcePosition> head(MemorySink sink) {
    List<Transaction> txs = sink.transactions();
    return txs.isEmpty() ? Optional.empty() : Optional.of(txs.getLast().sourcePosition());
  }

  private static long inserts(MemorySink sink) {
    return sink.transactions().stream().flatMap(t -> t.changes().stream()).filter(c -> c instanceof Change.Insert)
        .count();
  }

  private static boolean awaitTrue(BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** A sink whose disk refuses every write. */
  private static final class FailingSink implements TransactionSink {
    @Override
    public Optional<ResumePoint> resumePoint() {
      return Optional.empty();
    }

    @Override
    public CompletableFuture<?> append(Transaction transaction) {
      return CompletableFuture.failedFuture(new IOException("disk on fire"));
    }

    @Override
    public LargeTransaction beginLarge(Gtid gtid) {
      throw new UnsupportedOperationException("no large transactions in this test");
    }
  }
}
