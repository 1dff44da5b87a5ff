package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JournalTail#read} as a transport ships a journal: read from the start in chunks of a
 * random size, the chunks put together are each segment's bytes exactly (a sealed one with its
 * record count), every chunk is whole frames no longer than asked unless it is one frame larger
 * than that, and the last read ends at the open segment's durable end.
 */
class JournalTailTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void chunksOfAnySizeAreWholeFramesThatRebuildEachSegmentByteForByte(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    TestData data = new TestData(seed);
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(64 << 10))) {
      List<Transaction> txs = new ArrayList<>();
      for (long seq = 1; seq <= 400; seq++) {
        txs.add(random.nextInt(25) == 0 ? Transactions.message(seq, random.nextInt(20_000, 120_000))
            : data.transaction(new Gtid(0, 1, seq), 6));
      }
      Journals.appendAll(journal, txs);
      JournalTail tail = journal.tail();
      JournalPosition at = JournalPosition.startOf(1);
      ByteArrayOutputStream segment = new ByteArrayOutputStream();
      int sealedSeen = 0;
      Optional<JournalTail.Chunk> chunk;
      while (true) {
        int max = random.nextInt(1, 40_000);
        chunk = tail.read(at, max);
        if (chunk.isEmpty()) {
          break;
        }
        byte[] bytes = chunk.get().bytes();
        assertThat(chunk.get().offset()).isEqualTo(at.offset());
        int header = at.offset() == 0 ? SegmentFormat.HEADER_LENGTH : 0;
        if (bytes.length > max && bytes.length > header) {
          int body = ByteBuffer.wrap(bytes, header, 4).getInt();
          assertThat(header + SegmentFormat.FRAME_PREFIX + body).as("a chunk over %d bytes is one frame", max)
              .isEqualTo(bytes.length);
        }
        segment.write(bytes);
        if (chunk.get().sealedRecords().isPresent()) {
          SegmentInfo sealed = segmentInfo(at.segment());
          assertThat(Arrays.equals(segment.toByteArray(), Files.readAllBytes(sealed.path())))
              .as("segment %d rebuilt byte for byte", at.segment()).isTrue();
          assertThat(chunk.get().sealedRecords().getAsLong()).isEqualTo(sealed.recordCount());
          segment.reset();
          sealedSeen++;
        }
        at = chunk.get().next();
      }
      assertThat(sealedSeen).as("the test spans several sealed segments").isGreaterThan(5);
      Optional<SegmentInfo> open = segment(at.segment()); // none when the last append sealed its segment
      if (open.isEmpty()) {
        assertThat(segment.size()).isZero();
        return;
      }
      assertThat(open.get().state()).isEqualTo(SegmentState.OPEN);
      byte[] written = Files.readAllBytes(open.get().path());
      assertThat(segment.size()).as("the open segment read to its durable end").isEqualTo(open.get().sizeBytes());
      assertThat(Arrays.equals(segment.toByteArray(), Arrays.copyOf(written, segment.size()))).isTrue();
    }
  }

  private SegmentInfo segmentInfo(long number) throws Exception {
    return segment(number).orElseThrow();
  }

  private Optional<SegmentInfo> segment(long number) throws Exception {
    return JournalInspector.list(dir).stream().filter(s -> s.number() == number).findFirst();
  }
}
