package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.fixtures.Transactions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a journal counts for metrics: records and their bytes, and one force time and group size per group commit. */
@Timeout(60)
class JournalCountersTest {
  @TempDir Path dir;

  @Test
  void countsRecordsBytesAndTheTimeOfEveryForce() throws Exception {
    AtomicLong forces = new AtomicLong();
    AtomicLong nanos = new AtomicLong();
    AtomicLong grouped = new AtomicLong();
    Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096));
    try (journal) {
      journal.onForce((n, records) -> {
        forces.incrementAndGet();
        nanos.addAndGet(n);
        grouped.addAndGet(records);
      });
      for (int seq = 1; seq <= 50; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    long bytes = journal.appendedBytes(); // closed: the counts are final
    long groups = journal.groupCommits();
    assertThat(journal.appendedRecords()).isEqualTo(50);
    long onDisk = JournalInspector.list(dir).stream().mapToLong(s -> s.sizeBytes() - SegmentFormat.HEADER_LENGTH).sum();
    assertThat(bytes).as("the segments' bytes after their headers").isEqualTo(onDisk);
    assertThat(forces.get()).as("one force per group commit").isEqualTo(groups).isPositive();
    assertThat(nanos.get()).isPositive();
    assertThat(grouped.get()).as("the groups' sizes add up to the records").isEqualTo(50);
  }
}
