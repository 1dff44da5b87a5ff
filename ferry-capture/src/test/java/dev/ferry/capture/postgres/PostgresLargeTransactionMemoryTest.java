package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single 1,000,000-row transaction is captured by a capture process running at {@code -Xmx128m}
 * into a real journal: it arrives as one committed, chunked transaction with every row, and the
 * process is still alive with no OutOfMemoryError.
 */
@Timeout(180)
class PostgresLargeTransactionMemoryTest {
  private static final int ROWS = 1_000_000;

  @TempDir
  Path dir;

  @Test
  void millionRowTransactionIsCapturedIn128Megabytes() throws Exception {
    Path journalDir = dir.resolve("journal");
    try (PostgresCluster cluster = PostgresCluster.start()) {
      PostgresSourceConfig config = PgTest.freshSource(cluster, "big");
      PgTest.exec(config, "CREATE TABLE big (id int PRIMARY KEY, v text NOT NULL)");
      PostgresSetup.setup(config);
      try (JavaProcess child = PostgresCaptureCrashTest.startCapture(config, journalDir, "4096")) {
        PostgresCaptureCrashTest.awaitOutput(child, "streaming");
        PgTest.tx(config, "INSERT INTO big SELECT g, 'r' FROM generate_series(1, " + ROWS + ") g");

        awaitJournalDirectory(journalDir);
        try (JournalReader reader = JournalReader.openAtOldest(journalDir)) {
          JournalTransaction tx = awaitTransaction(reader, child);
          assertThat(tx.chunked()).isTrue();
          assertThat(tx.changeCount()).isEqualTo(ROWS);
          long rows = 0;
          long idSum = 0;
          try (ChangeCursor cursor = tx.changes()) {
            while (cursor.advance()) {
              Change.Insert insert = (Change.Insert) cursor.current();
              idSum += Long.parseLong(((Value.Text) insert.row().get(0)).value());
              rows++;
            }
          }
          assertThat(rows).isEqualTo(ROWS);
          assertThat(idSum).isEqualTo((long) ROWS * (ROWS + 1) / 2);
        }
        assertThat(child.isAlive()).as("capture process alive; log %s", child.log()).isTrue();
        assertThat(child.output()).doesNotContain("OutOfMemoryError");
      }
    }
  }

  private static void awaitJournalDirectory(Path journalDir) throws Exception {
    for (int i = 0; i < 100 && !Files.isDirectory(journalDir); i++) {
      Thread.sleep(50);
    }
  }

  /** Follows the journal the capture process writes until its first transaction commits; it must be the only one. */
  private static JournalTransaction awaitTransaction(JournalReader reader, JavaProcess child) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (true) {
      Optional<JournalTransaction> tx = reader.next(Duration.ofMillis(200));
      if (tx.isPresent()) {
        assertThat(reader.next(Duration.ZERO)).as("one transaction only").isEmpty();
        return tx.get();
      }
      assertThat(child.isAlive()).as("capture process alive; output:\n%s", tail(child)).isTrue();
      assertThat(System.nanoTime()).as("waiting for the transaction; log %s", child.log()).isLessThan(deadline);
    }
  }

  private static String tail(JavaProcess child) throws Exception {
    String out = child.output();
    return out.substring(Math.max(0, out.length() - 4000));
  }
}
