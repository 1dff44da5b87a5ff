package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.testkit.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LargeTransactionTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(300)
  void aTenMillionRowTransactionIsWrittenAndStreamedBackIn128MegabytesOfHeap() throws Exception {
    try (JavaProcess process = JavaProcess.start(LargeTransactionMain.class, List.of("-Xmx128m"),
        dir.toString(), "10000000")) {
      int exit = process.awaitExit(Duration.ofMinutes(4));
      assertThat(process.output()).as("exit %d", exit).contains("OK rows=10000000");
      assertThat(exit).isZero();
      System.out.println(process.output());
    }
  }

  @Test
  @Timeout(30)
  void aReaderNeverHandsOutAChunkedTransactionBeforeItsCommit() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir));
        JournalReader reader = journal.readerAtOldest()) {
      LargeTransactionWriter large = journal.beginLarge(new Gtid(0, 1, 2));
      large.append(TestData.small(2).changes()).join();
      journal.append(TestData.small(1)).join();
      assertThat(reader.next(Duration.ofMillis(100))).map(JournalTransaction::gtid).contains(new Gtid(0, 1, 1));
      assertThat(reader.next(Duration.ofMillis(200))).as("chunks without a commit").isEmpty();
      large.commit(Instant.EPOCH, 0, SourcePosition.NONE).join();
      JournalTransaction tx = reader.next(Duration.ofSeconds(5)).orElseThrow();
      assertThat(tx.chunked()).isTrue();
      assertThat(tx.toTransaction().changes()).isEqualTo(TestData.small(2).changes());
    }
  }

  @Test
  @Timeout(30)
  void anAbortedChunkedTransactionIsNeverHandedOut() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      LargeTransactionWriter large = journal.beginLarge(new Gtid(0, 1, 1));
      large.append(TestData.small(1).changes());
      large.abort().join();
      journal.append(TestData.small(2)).join();
    }
    assertThat(Journals.seqs(Journals.readAll(dir))).containsExactly(2L);
  }
}
