package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A running capture into a {@link MemorySink}, for tests. */
final class Capturing implements AutoCloseable {
  final PostgresSourceConfig config;
  final MemorySink sink;
  final PostgresCapture capture;

  private Capturing(PostgresSourceConfig config, MemorySink sink) throws InterruptedException {
    this.config = config;
    this.sink = sink;
    this.capture = PostgresCapture.start(config, sink);
    assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
    capture.failure().ifPresent(e -> {
      throw new AssertionError("capture failed to start", e);
    });
  }

  static Capturing start(PostgresSourceConfig config, MemorySink sink) throws InterruptedException {
    return new Capturing(config, sink);
  }

  /** Waits until the sink holds at least {@code count} transactions; returns them. */
  List<Transaction> awaitTransactions(int count) throws InterruptedException {
    await(() -> sink.transactions().size() >= count, "sink to hold " + count + " transactions");
    return sink.transactions();
  }

  void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      capture.failure().ifPresent(e -> {
        throw new AssertionError("capture failed while waiting for " + what, e);
      });
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; have " + sink.transactions().size()
            + " transactions");
      }
      Thread.sleep(20);
    }
  }

  static List<Change> rowChanges(Transaction tx) {
    return tx.changes().stream().filter(c -> !(c instanceof Change.SequenceAdvance)).toList();
  }

  @Override
  public void close() throws InterruptedException {
    capture.close();
  }
}
