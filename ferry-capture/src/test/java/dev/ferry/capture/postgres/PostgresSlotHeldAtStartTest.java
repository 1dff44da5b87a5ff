package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.capture.MemorySink;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.LoggerFactory;

/**
 * After a {@code kill -9} the dead capture's walsender may still hold the slot when the next one
 * starts. Capture names the slot and the pid in one log line; a walsender of an earlier writer of
 * the same journal (its application_name carries the journal's id) is terminated rather than
 * waited for, so the first transaction arrives well within a second or two, not after the 6–8 s
 * of backoff it took before.
 */
@Timeout(120)
class PostgresSlotHeldAtStartTest {
  private static final String OWNER = "0a1b2c3d-0000-4000-8000-000000000000";

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void walsenderLeftByAnEarlierWriterOfTheSameJournalIsTerminatedAndLoggedAndCaptureStreamsAtOnce()
      throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(PostgresCapture.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    PostgresSourceConfig config = PgTest.freshSource(postgres.cluster(), "held");
    exec(config, "CREATE TABLE items (id int PRIMARY KEY)");
    PostgresSetup.setup(config);
    MemorySink memory = new MemorySink();
    try (Connection leftOver = holdSlot(config, "ferry-held@" + OWNER.substring(0, 8))) {
      String pid = PgTest.scalar(config, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
          + config.slotName() + "'");
      assertThat(pid).as("the left-over walsender holds the slot").isNotNull();
      exec(config, "INSERT INTO items VALUES (1)");
      long start = System.nanoTime();
      PostgresCapture capture = PostgresCapture.start(config, new OwnedSink(memory));
      try {
        while (memory.transactions().isEmpty() && capture.failure().isEmpty()
            && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
          Thread.sleep(10);
        }
        assertThat(capture.failure()).isEmpty();
        // Well within the backoff it took before: that is also shown by no "reconnecting in" line below; the
        // bound leaves room for a loaded machine (connecting and starting the stream alone can take seconds).
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("first transaction journaled after start")
            .isLessThan(Duration.ofSeconds(6));
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).as("no retry with the backoff")
            .noneSatisfy(line -> assertThat(line).contains("reconnecting in"));
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
            .anySatisfy(line -> assertThat(line).contains("replication slot '" + config.slotName() + "'")
                .contains("walsender pid " + pid).contains("terminating it"));
      } finally {
        capture.close();
      }
    } finally {
      log.detachAppender(lines);
    }
  }

  /** A replication connection streaming from the slot and then left alone, like a killed capture's. */
  private static Connection holdSlot(PostgresSourceConfig config, String applicationName) throws Exception {
    Properties props = new Properties();
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("replication", "database");
    props.setProperty("preferQueryMode", "simple");
    props.setProperty("assumeMinServerVersion", "10");
    Connection c = DriverManager.getConnection(config.jdbcUrl(), props);
    PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
        .withSlotName(config.slotName()).withSlotOption("proto_version", "1")
        .withSlotOption("publication_names", config.publicationName()).withStartPosition(LogSequenceNumber.INVALID_LSN)
        .start();
    assertThat(stream.isClosed()).isFalse();
    return c;
  }

  /** A memory sink that says it has one writer, as the journal does. */
  private record OwnedSink(MemorySink memory) implements TransactionSink {
    @Override
    public Optional<String> exclusiveOwner() {
      return Optional.of(OWNER);
    }

    @Override
    public Optional<ResumePoint> resumePoint() {
      return memory.resumePoint();
    }

    @Override
    public CompletableFuture<?> append(Transaction transaction) {
      return memory.append(transaction);
    }

    @Override
    public LargeTransaction beginLarge(Gtid gtid) {
      return memory.beginLarge(gtid);
    }
  }
}
