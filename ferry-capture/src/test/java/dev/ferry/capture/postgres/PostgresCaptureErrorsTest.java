package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.PostgresClusterExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(120)
class PostgresCaptureErrorsTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  private static PostgresSourceConfig setUp(String name) throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), name);
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    return config;
  }

  private static CaptureException awaitFailure(PostgresCapture capture) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (capture.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(capture.isRunning()).as("capture stopped").isFalse();
    return (CaptureException) capture.failure().orElseThrow();
  }

  @Test
  void refusesASlotThatIsActiveElsewhere() throws Exception {
    PostgresSourceConfig config = setUp("busy");
    try (Capturing first = Capturing.start(config, new MemorySink());
        PostgresCapture second = PostgresCapture.start(config, new MemorySink())) {
      CaptureException e = awaitFailure(second);
      assertThat(e).hasMessageContaining("[source busy] replication slot 'ferry_busy' is active for process")
          .hasMessageContaining("pg_terminate_backend");
      assertThat(first.capture.isRunning()).isTrue();
    }
  }

  @Test
  void reportsASlotDroppedWhileFerryWasAway() throws Exception {
    PostgresSourceConfig config = setUp("dropped");
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink)) {
      exec(config, "INSERT INTO items VALUES (1)");
      capturing.awaitTransactions(1);
    }
    exec(config, "SELECT pg_drop_replication_slot('ferry_dropped')");

    try (PostgresCapture capture = PostgresCapture.start(config, sink)) {
      assertThat(awaitFailure(capture))
          .hasMessageContaining("replication slot 'ferry_dropped' does not exist, but the journal holds")
          .hasMessageContaining("dropped while Ferry was away")
          .hasMessageContaining("0-1-1");
    }
  }

  @Test
  void reportsASlotReplacedBySetupWhileFerryWasAway() throws Exception {
    PostgresSourceConfig config = setUp("replaced");
    MemorySink sink = new MemorySink();
    try (Capturing capturing = Capturing.start(config, sink)) {
      exec(config, "INSERT INTO items VALUES (1)");
      capturing.awaitTransactions(1);
    }
    exec(config, "SELECT pg_drop_replication_slot('ferry_replaced')", "INSERT INTO items VALUES (2)");
    assertThat(PostgresSetup.setup(config).slotCreated()).isTrue();

    try (PostgresCapture capture = PostgresCapture.start(config, sink)) {
      assertThat(awaitFailure(capture))
          .hasMessageContaining("replication slot 'ferry_replaced' was created by ferry setup at")
          .hasMessageContaining("after the journal's last transaction 0-1-1")
          .hasMessageContaining("dropped and replaced while Ferry was away");
    }
    try (Capturing fresh = Capturing.start(config, new MemorySink())) {
      assertThat(fresh.capture.failure()).as("a new journal may start from the new slot").isEmpty();
    }
  }

  @Test
  void reportsAMissingSlotBeforeSetup() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "nosetup");
    try (PostgresCapture capture = PostgresCapture.start(config, new MemorySink())) {
      assertThat(awaitFailure(capture)).hasMessageContaining("replication slot 'ferry_nosetup' does not exist: run ferry setup");
    }
  }

  @Test
  void reportsAMissingPublication() throws Exception {
    PostgresSourceConfig config = setUp("nopub");
    exec(config, "DROP PUBLICATION ferry_nopub");
    try (PostgresCapture capture = PostgresCapture.start(config, new MemorySink())) {
      assertThat(awaitFailure(capture)).hasMessageContaining("publication 'ferry_nopub' does not exist")
          .hasMessageContaining("run ferry setup");
    }
  }

  @Test
  void reportsAPublicationDroppedWhileStreaming() throws Exception {
    PostgresSourceConfig config = setUp("pubgone");
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      exec(config, "DROP PUBLICATION ferry_pubgone", "INSERT INTO items VALUES (1)");
      assertThat(awaitFailure(capturing.capture)).hasMessageContaining("publication 'ferry_pubgone' does not exist");
      assertThat(capturing.sink.transactions()).isEmpty();
    }
  }

  @Test
  void reportsAnInvalidatedSlot() throws Exception {
    // A postgres.cluster() that keeps at most 1 MB of WAL for slots: enough writes while capture is away
    // make PostgreSQL invalidate the slot (wal_status 'lost').
    try (PostgresCluster small = PostgresCluster.start(java.util.Map.of("max_slot_wal_keep_size", "1MB",
        "max_wal_size", "32MB", "min_wal_size", "32MB"))) {
      PostgresSourceConfig lost = PgTest.freshSource(small, "lost");
      exec(lost, "CREATE TABLE items (id int PRIMARY KEY, v text)");
      PostgresSetup.setup(lost);
      for (int i = 0; i < 6; i++) {
        exec(lost, "INSERT INTO items SELECT g + " + (i * 2000) + ", repeat('x', 1000) FROM generate_series(1, 2000) g",
            "SELECT pg_switch_wal()", "CHECKPOINT");
      }
      String status = PgTest.scalar(lost, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'ferry_lost'");
      assertThat(status).isIn("lost", "unreserved");
      exec(lost, "CHECKPOINT");
      try (PostgresCapture capture = PostgresCapture.start(lost, new MemorySink())) {
        assertThat(awaitFailure(capture)).hasMessageContaining("replication slot 'ferry_lost'")
            .hasMessageContaining("no longer available");
      }
    }
  }
}
