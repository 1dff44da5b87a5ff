package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class RoundTripTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 17, 99})
  void anySequenceOfTransactionsReadsBackIdentical(long seed) throws Exception {
    TestData data = new TestData(seed);
    List<Transaction> written = new ArrayList<>();
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(256 << 10))) {
      for (int i = 1; i <= 150; i++) {
        written.add(data.transaction(new Gtid(0, 1, i), 12));
      }
      Journals.appendAll(journal, written);
      try (JournalReader reader = journal.readerAtOldest()) {
        assertThat(Journals.readAll(reader)).containsExactlyElementsOf(written);
      }
    }
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(written);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6, 7})
  void chunkedTransactionsInterleavedWithWholeOnesReadBackInCommitOrder(long seed) throws Exception {
    TestData data = new TestData(seed);
    List<Transaction> expected = new ArrayList<>();
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(64 << 10))) {
      long seq = 1;
      for (int round = 0; round < 10; round++) {
        Gtid bigId = new Gtid(1, 2, seq++);
        LargeTransactionWriter big = journal.beginLarge(bigId);
        Gtid abortedId = new Gtid(1, 2, seq++);
        LargeTransactionWriter aborted = journal.beginLarge(abortedId);
        List<Change> bigChanges = new ArrayList<>();
        for (int chunk = 0; chunk < data.random().nextInt(1, 6); chunk++) {
          List<Change> changes = data.transaction(bigId, 30).changes();
          big.append(changes);
          bigChanges.addAll(changes);
          aborted.append(data.transaction(abortedId, 5).changes());
          Transaction small = data.transaction(new Gtid(1, 2, seq++), 3);
          journal.append(small);
          expected.add(small);
        }
        Transaction bigTx = new Transaction(bigId, Instant.ofEpochSecond(seq), seq, SourcePosition.pgLsn(seq), bigChanges);
        if (data.random().nextBoolean()) {
          aborted.abort().join();
          big.commit(bigTx.commitTime(), bigTx.schemaSequence(), bigTx.sourcePosition()).join();
        } else {
          big.commit(bigTx.commitTime(), bigTx.schemaSequence(), bigTx.sourcePosition()).join();
          aborted.abort().join();
        }
        expected.add(bigTx);
      }
      try (JournalReader reader = journal.readerAtOldest()) {
        assertThat(Journals.readAll(reader)).containsExactlyElementsOf(expected);
      }
    }
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(expected);
    assertThat(JournalVerifier.verify(dir).ok()).isTrue();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void aReaderResumingAtAnyNextPositionSeesExactlyTheRest(long seed) throws Exception {
    TestData data = new TestData(seed);
    List<Transaction> written = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      written.add(data.transaction(new Gtid(0, 1, i), 4));
    }
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(8 << 10))) {
      Journals.appendAll(journal, written);
    }
    List<JournalPosition> positions = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        positions.add(tx.get().nextPosition());
      }
    }
    int k = data.random().nextInt(positions.size());
    try (JournalReader reader = JournalReader.openAt(dir, positions.get(k))) {
      assertThat(Journals.readAll(reader)).containsExactlyElementsOf(written.subList(k + 1, written.size()));
    }
    try (JournalReader reader = JournalReader.openAfter(dir, written.get(k).gtid())) {
      assertThat(Journals.readAll(reader)).containsExactlyElementsOf(written.subList(k + 1, written.size()));
    }
  }
}
