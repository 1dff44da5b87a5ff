package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class CorruptionTest {
  @TempDir
  Path dir;

  private List<Transaction> writeSeveralSegments(long seed) throws IOException {
    TestData data = new TestData(seed);
    List<Transaction> written = new ArrayList<>();
    for (int i = 1; i <= 80; i++) {
      written.add(data.transaction(new Gtid(0, 1, i), 3));
    }
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(16 << 10))) {
      Journals.appendAll(journal, written);
    }
    return written;
  }

  /** Record start offsets of a segment, from a clean read. */
  private List<Long> recordStarts(SegmentFiles.SegmentFile segment, UUID id) throws IOException {
    List<Long> starts = new ArrayList<>();
    try (FrameReader frames = FrameReader.open(segment.path(), segment.number(), id, false).orElseThrow()) {
      long size = frames.size();
      while (frames.next(size) == FrameReader.Status.RECORD) {
        starts.add(frames.recordOffset);
      }
    }
    return starts;
  }

  private static void flip(Path file, long offset, int mask) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ mask));
      ch.write(b.flip(), offset);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void aFlippedByteInASealedSegmentIsReportedAtItsRecordAndNothingAfterIsHandedOut(long seed) throws Exception {
    List<Transaction> written = writeSeveralSegments(seed);
    UUID id = JournalIdentity.read(dir);
    List<SegmentFiles.SegmentFile> sealed = SegmentFiles.list(dir).stream().filter(s -> !s.open()).toList();
    assertThat(sealed).hasSizeGreaterThan(2);
    SplittableRandom random = new SplittableRandom(seed);
    SegmentFiles.SegmentFile victim = sealed.get(random.nextInt(sealed.size()));
    List<Long> starts = recordStarts(victim, id);
    long before = 0;
    for (SegmentFiles.SegmentFile s : sealed) {
      if (s.number() < victim.number()) {
        before += s.recordCount();
      }
    }
    long offset = random.nextLong(Files.size(victim.path()));
    flip(victim.path(), offset, 1 << random.nextInt(8));
    long expectedOffset = offset < SegmentFormat.HEADER_LENGTH ? 0
        : starts.stream().filter(s -> s <= offset).reduce((a, b) -> b).orElseThrow();
    long intact = before + (offset < SegmentFormat.HEADER_LENGTH ? 0 : starts.indexOf(expectedOffset));

    List<Transaction> handedOut = new ArrayList<>();
    JournalCorruptionException e;
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      e = catchThrowableOfType(JournalCorruptionException.class, () -> {
        Optional<JournalTransaction> tx;
        while ((tx = reader.next(Duration.ZERO)).isPresent()) {
          handedOut.add(tx.get().toTransaction());
        }
      });
      assertThat(e).as("flipped byte at %d of %s", offset, victim.fileName()).isNotNull();
      assertThatThrownBy(() -> reader.next(Duration.ZERO)).isSameAs(e);
    }
    assertThat(e.path()).isEqualTo(victim.path());
    assertThat(e.offset()).isEqualTo(expectedOffset);
    assertThat(handedOut).containsExactlyElementsOf(written.subList(0, (int) intact));

    JournalVerifier.Report report = JournalVerifier.verify(dir);
    assertThat(report.problems()).hasSize(1);
    assertThat(report.problems().getFirst().path()).isEqualTo(victim.path());
    assertThat(report.problems().getFirst().offset()).isEqualTo(expectedOffset);
  }

  @Test
  void refusesASegmentOfAnotherJournalNamingBothIds() throws Exception {
    writeSeveralSegments(1);
    Path other = dir.resolveSibling(dir.getFileName() + "-other");
    try (Journal journal = Journal.open(Journals.config(other))) {
      journal.append(TestData.small(1)).join();
    }
    UUID ours = JournalIdentity.read(dir);
    UUID theirs = JournalIdentity.read(other);
    Path stranger = SegmentFiles.list(other).getFirst().path();
    Path victim = SegmentFiles.list(dir).get(1).path();
    Files.delete(victim);
    Files.copy(stranger, dir.resolve(SegmentFiles.openName(2)).resolveSibling(
        SegmentFiles.sealedName(2, 1)));

    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      assertThatThrownBy(() -> Journals.readAll(reader)).isInstanceOf(JournalMismatchException.class)
          .hasMessageContaining(ours.toString()).hasMessageContaining(theirs.toString());
    }
    assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(JournalMismatchException.class)
        .hasMessageContaining(ours.toString()).hasMessageContaining(theirs.toString());
  }

  @Test
  void reportsAMissingSegmentAsAGap() throws Exception {
    writeSeveralSegments(2);
    SegmentFiles.SegmentFile missing = SegmentFiles.list(dir).get(2);
    Files.delete(missing.path());

    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      JournalGapException gap = catchThrowableOfType(JournalGapException.class, () -> Journals.readAll(reader));
      assertThat(gap).isNotNull();
      assertThat(gap.missingSegment()).isEqualTo(missing.number());
      assertThat(gap.getMessage()).contains("segment " + missing.number() + " is missing");
    }
    assertThat(JournalVerifier.verify(dir).problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("segment " + missing.number() + " is missing"));
    assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(JournalGapException.class);
  }
}
