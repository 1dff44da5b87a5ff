package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader of this process's journal waiting at the end of a sealed segment (an idle replica) does
 * not list the journal directory at every wake-up: nothing can have appeared while the writer's
 * counter stands still. It still finds the next transaction at once, and looks again at least once
 * a second whatever the counter says.
 */
@Timeout(60)
class IdleReaderTest {
  @TempDir
  Path dir;

  @Test
  void anIdleReaderAtAMissingSegmentLooksForItOnlyWhenTheWriterWroteOrASecondPassed() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentAge(Duration.ofMillis(100)));
        JournalReader reader = journal.readerAtOldest()) {
      journal.append(TestData.small(1)).join();
      assertThat(reader.next(Duration.ofSeconds(5)).map(JournalTransaction::gtid)).contains(new Gtid(0, 1, 1));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!sealedAll()) {
        assertThat(System.nanoTime()).as("the segment sealed by age").isLessThan(deadline);
        Thread.sleep(10);
      }

      // An idle runner asks every 50 ms or so: 20 short waits here.
      long before = reader.segmentLooks();
      long started = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        assertThat(reader.next(Duration.ofMillis(10))).isEmpty();
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      assertThat(reader.segmentLooks() - before).as("looks for the next segment in 20 idle waits")
          .isBetween(1L, 2L + seconds);

      journal.append(TestData.small(2)).join();
      assertThat(reader.next(Duration.ofSeconds(5)).map(JournalTransaction::gtid))
          .as("the writer's next transaction, in a new segment, is found at once").contains(new Gtid(0, 1, 2));
    }
  }

  private boolean sealedAll() throws IOException {
    return JournalInspector.list(dir).stream().noneMatch(s -> s.state() == SegmentState.OPEN);
  }
}
