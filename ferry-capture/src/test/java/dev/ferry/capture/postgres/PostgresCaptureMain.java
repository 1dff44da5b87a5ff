package dev.ferry.capture.postgres;

import dev.ferry.capture.JournalSink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A PostgreSQL capture process for crash and memory tests:
 * {@code PostgresCaptureMain NAME JDBC_URL JOURNAL_DIR [CHUNK_CHANGES]} (default 50); runs until killed.
 */
public final class PostgresCaptureMain {
  public static void main(String[] args) throws Exception {
    PostgresSourceConfig config = PostgresSourceConfig.of(args[0], args[1]).withChunking(
        args.length > 3 ? Integer.parseInt(args[3]) : 50, 1 << 20);
    try (Journal journal = Journal.open(JournalConfig.defaults(Path.of(args[2])).withSegmentBytes(256 << 10));
        PostgresCapture capture = PostgresCapture.start(config, new JournalSink(journal))) {
      if (!capture.awaitStreaming(Duration.ofSeconds(30))) {
        throw new IllegalStateException("capture did not start");
      }
      System.out.println("streaming");
      while (capture.isRunning()) {
        System.out.println("confirmed " + capture.confirmedLsn());
        Thread.sleep(50);
      }
      System.out.println("stopped: " + capture.failure().map(Throwable::toString).orElse("?"));
    }
  }
}
