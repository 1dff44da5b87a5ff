package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class StickyFailureTest {
  @TempDir
  Path dir;

  @Test
  void afterAnIoErrorEveryAppendFailsUntilTheJournalIsReopened() throws Exception {
    TestData.ManualClock clock = new TestData.ManualClock();
    Journal journal = Journal.open(Journals.config(dir).withClock(clock));
    journal.append(TestData.small(1)).join();
    clock.advance(Duration.ofMinutes(2));
    while (Files.exists(dir.resolve(SegmentFiles.openName(1)))) {
      Thread.sleep(10);
    }
    long seq = 2;
    // The next append must create segment 2; a directory in its place makes that fail.
    Path obstacle = Files.createDirectory(dir.resolve(SegmentFiles.openName(2)));
    long failedSeq = seq;
    assertThatThrownBy(() -> journal.append(TestData.small(failedSeq)).join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(JournalFailedException.class)
        .hasMessageContaining("refuses appends until reopened");
    Files.delete(obstacle);
    assertThatThrownBy(() -> journal.append(TestData.small(failedSeq)).join())
        .as("no retry after the failure").hasCauseInstanceOf(JournalFailedException.class);
    assertThatThrownBy(journal::close).isInstanceOf(JournalFailedException.class);

    try (Journal reopened = Journal.open(Journals.config(dir))) {
      reopened.append(TestData.small(failedSeq)).join();
    }
    assertThat(Journals.seqs(Journals.readAll(dir))).hasSize((int) failedSeq).isSorted();
  }
}
