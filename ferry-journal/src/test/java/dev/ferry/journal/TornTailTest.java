package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class TornTailTest {
  @TempDir
  Path tmp;

  /** Writes {@code transactions} to a fresh journal; returns the offset where the last record starts. */
  private long write(Path dir, List<Transaction> transactions) throws IOException {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      JournalPosition last = null;
      for (Transaction t : transactions) {
        last = journal.append(t).join();
      }
      return last.offset();
    }
  }

  private static Path openSegment(Path dir) throws IOException {
    return dir.resolve(SegmentFiles.openName(1));
  }

  private void checkCutAt(Path original, List<Transaction> written, long cut, boolean zeroFill, int round)
      throws Exception {
    Path dir = tmp.resolve("cut-" + round);
    Files.createDirectories(dir);
    Files.copy(original.resolve(SegmentFiles.ID_FILE), dir.resolve(SegmentFiles.ID_FILE));
    Path segment = openSegment(dir);
    Files.copy(openSegment(original), segment);
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
      if (zeroFill) {
        ch.write(ByteBuffer.allocate((int) (size - cut)), cut);
      }
    }
    List<Transaction> kept = written.subList(0, written.size() - 1);
    Transaction next = TestData.small(1000 + round);
    try (Journal journal = Journal.open(Journals.config(dir))) {
      try (JournalReader reader = journal.readerAtOldest()) {
        assertThat(Journals.readAll(reader)).as("cut at %d", cut).containsExactlyElementsOf(kept);
      }
      journal.append(next).join();
    }
    List<Transaction> expected = new ArrayList<>(kept);
    expected.add(next);
    assertThat(Journals.readAll(dir)).as("cut at %d, then one append", cut).containsExactlyElementsOf(expected);
  }

  @Test
  void keepsExactlyTheRecordsBeforeACutAtEveryByteOfTheLastRecord() throws Exception {
    Path original = tmp.resolve("original");
    List<Transaction> written = List.of(TestData.small(1), TestData.small(2), TestData.small(3));
    long start = write(original, written);
    long end = Files.size(openSegment(original));
    for (long cut = start; cut < end; cut++) {
      checkCutAt(original, written, cut, false, (int) cut);
    }
  }

  @Test
  void treatsZeroedPagesAfterTheCutAsATornTailToo() throws Exception {
    Path original = tmp.resolve("original");
    List<Transaction> written = List.of(TestData.small(1), TestData.small(2));
    long start = write(original, written);
    long end = Files.size(openSegment(original));
    for (long cut = start; cut < end; cut += 3) {
      checkCutAt(original, written, cut, true, (int) cut);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void keepsExactlyTheRecordsBeforeACutAtRandomOffsetsOfABigLastRecord(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    TestData data = new TestData(seed);
    List<Transaction> written = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      written.add(data.transaction(new Gtid(0, 1, i), 5));
    }
    byte[] blob = new byte[300_000];
    random.nextBytes(blob);
    written.add(new Transaction(new Gtid(0, 1, 21), Instant.EPOCH, 0, SourcePosition.NONE,
        List.of(new Change.Message("big", true, blob))));
    Path original = tmp.resolve("original");
    long start = write(original, written);
    long end = Files.size(openSegment(original));
    for (int round = 0; round < 25; round++) {
      checkCutAt(original, written, random.nextLong(start, end), round % 2 == 1, round);
    }
  }
}
