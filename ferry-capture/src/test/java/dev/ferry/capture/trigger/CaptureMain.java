package dev.ferry.capture.trigger;

import dev.ferry.capture.JournalSink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import java.nio.file.Path;
import java.time.Duration;

/** A SQLite capture process for crash tests: {@code CaptureMain DB_FILE JOURNAL_DIR}; runs until killed. */
public final class CaptureMain {
  public static void main(String[] args) throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(Path.of(args[1])).withSegmentBytes(256 << 10));
        SqliteCapture capture = SqliteCapture.open(
            SqliteSourceConfig.of("crash", "jdbc:sqlite:" + args[0]).withIdlePoll(Duration.ofMillis(20))
                .withChunkChanges(50), new JournalSink(journal))) {
      System.out.println("capturing after " + capture.lastGtid().map(Object::toString).orElse("nothing"));
      while (true) {
        if (capture.poll() > 0) {
          System.out.println("journaled " + capture.lastGtid().orElseThrow());
        } else {
          Thread.sleep(5);
        }
      }
    }
  }
}
