package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ConsumerAheadTest {
  @TempDir
  Path dir;

  /** Writes 0-1-1..5 and returns each one's transaction as read back. */
  private List<JournalTransaction> fiveTransactions() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      for (long seq = 1; seq <= 5; seq++) {
        journal.append(TestData.small(seq)).join();
      }
    }
    List<JournalTransaction> read = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        read.add(tx.get());
      }
    }
    return read;
  }

  private void cutOpenSegmentAt(long offset) throws Exception {
    try (FileChannel ch = FileChannel.open(SegmentFiles.list(dir).getLast().path(), StandardOpenOption.WRITE)) {
      ch.truncate(offset);
    }
  }

  @Test
  void refusesToOpenAJournalCutBackBelowAnAcknowledgedRecordNamingBothGtids() throws Exception {
    List<JournalTransaction> txs = fiveTransactions();
    Journal.acknowledge(dir, "r1", txs.get(3).nextPosition(), txs.get(3).gtid());
    cutOpenSegmentAt(txs.get(1).nextPosition().offset() + 5);

    assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(ConsumerAheadException.class)
        .hasMessageContaining("consumer r1 is ahead of the journal")
        .hasMessageContaining("GTID 0-1-4 (journal position " + txs.get(3).nextPosition() + ")")
        .hasMessageContaining("the journal ends at " + txs.get(1).nextPosition() + " after GTID 0-1-2");
  }

  @Test
  void refusesAJournalWrittenAgainAfterTheCutWhereTheAcknowledgedPositionNoLongerEndsThatTransaction()
      throws Exception {
    List<JournalTransaction> txs = fiveTransactions();
    cutOpenSegmentAt(txs.get(1).nextPosition().offset());
    try (Journal journal = Journal.open(Journals.config(dir))) {
      for (long seq = 3; seq <= 5; seq++) {
        Transaction other = TestData.small(seq + 100);
        journal.append(new Transaction(new Gtid(0, 1, seq), other.commitTime(), 1, other.sourcePosition(),
            other.changes())).join();
      }
    }
    Journal.acknowledge(dir, "r1", txs.get(3).nextPosition(), txs.get(3).gtid());

    assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(ConsumerAheadException.class)
        .hasMessageContaining("consumer r1").hasMessageContaining("0-1-4")
        .hasMessageContaining("lost acknowledged records and was written again");
  }

  @Test
  void theSameGtidWithAnotherChecksumIsRefusedAndTheRightOneAccepted() throws Exception {
    List<JournalTransaction> txs = fiveTransactions();
    JournalTransaction third = txs.get(2);

    assertThatThrownBy(() -> Journal.checkConsumer(dir, "r1", third.nextPosition(), Optional.of(third.gtid()),
        OptionalLong.of(third.checksum() ^ 1))).isInstanceOf(ConsumerAheadException.class)
        .hasMessageContaining("the same GTID names two different transactions")
        .hasMessageContaining(String.format("%08x", third.checksum()));
    assertThatCode(() -> Journal.checkConsumer(dir, "r1", third.nextPosition(), Optional.of(third.gtid()),
        OptionalLong.of(third.checksum()))).doesNotThrowAnyException();
    assertThatCode(() -> Journal.checkConsumer(dir, "r1", JournalPosition.startOf(1), Optional.empty(),
        OptionalLong.empty())).doesNotThrowAnyException();
  }

  @Test
  void consumersAtOrBehindTheEndDoNotStopTheJournalFromOpening() throws Exception {
    List<JournalTransaction> txs = fiveTransactions();
    Journal.acknowledge(dir, "at-end", txs.get(4).nextPosition(), txs.get(4).gtid());
    Journal.acknowledge(dir, "behind", txs.get(1).nextPosition(), txs.get(1).gtid());
    Journal.acknowledge(dir, "old-file", txs.get(2).nextPosition());
    try (Journal journal = Journal.open(Journals.config(dir))) {
      assertThat(journal.consumers()).hasSize(3);
    }
    assertThat(Files.readString(dir.resolve("consumers/at-end.pos")).strip())
        .isEqualTo(txs.get(4).nextPosition() + " 0-1-5");
  }
}
