package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Rows read back decode their values on first access; damage is still reported by the read. */
@Timeout(60)
class LazyValuesTest {
  @TempDir
  Path dir;

  @Test
  void rowsReadEarlierKeepTheirValuesAfterTheReaderMovesOnAndDecodeAlikeOnTwoThreads() throws Exception {
    TestData data = new TestData(11);
    List<Transaction> written = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      written.add(data.transaction(new Gtid(0, 1, i), 40));
    }
    try (Journal journal = Journal.open(Journals.config(dir))) {
      Journals.appendAll(journal, written);
    }
    List<JournalTransaction> read = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      java.util.Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        read.add(tx.get());
      }
    }
    assertThat(read).hasSize(written.size());
    // Nothing decoded yet: every value is decoded now, after the reader reused its buffers 50 times.
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<List<Transaction>>> both = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      both.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
          List<Transaction> out = new ArrayList<>();
          for (JournalTransaction tx : read) {
            out.add(tx.toTransaction());
          }
          return out;
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    start.countDown();
    for (CompletableFuture<List<Transaction>> f : both) {
      assertThat(f.join()).isEqualTo(written);
    }
  }

  @Test
  void anUnknownValueTagUnderAValidChecksumIsReportedWhenTheTransactionIsRead() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.append(TestData.small(1)).join();
    }
    // A TX record whose checksum is right but whose one row holds a value with tag 99 (a bug or a
    // forged CRC): the reader must refuse it as it reads, not hand out a row that fails later.
    ByteSink payload = new ByteSink(256);
    payload.putLong(1_700_000_000L);
    payload.putInt(0);
    payload.putLong(1);
    payload.putByte(SourcePosition.changeId(2).kind().ordinal());
    payload.putLong(2);
    payload.putVarLong(1); // one change
    payload.putByte(1); // INSERT
    payload.putVarLong(0); // new table
    payload.putString("public");
    payload.putString("t");
    payload.putVarLong(0); // new column list
    payload.putVarLong(1);
    payload.putString("id");
    payload.putString("int8");
    payload.putInt(20);
    payload.putByte(LogicalType.INT64.code());
    payload.putVarLong(1); // one value
    payload.putByte(99);
    byte[] frame = SegmentFormat.frame(RecordType.TX, new Gtid(0, 1, 2), payload, new ByteSink(256));
    Path open = SegmentFiles.list(dir).getLast().path();
    try (FileChannel channel = FileChannel.open(open, StandardOpenOption.APPEND)) {
      channel.write(ByteBuffer.wrap(frame));
    }
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      assertThat(reader.next(Duration.ZERO)).isPresent();
      assertThatThrownBy(() -> reader.next(Duration.ZERO)).isInstanceOf(JournalCorruptionException.class)
          .hasMessageContaining("unknown value tag 99");
    }
  }
}
