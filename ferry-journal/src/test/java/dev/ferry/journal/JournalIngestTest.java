package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A copy of a journal built by ingest: the same bytes at the same positions, and every refusal. */
@Timeout(60)
class JournalIngestTest {
  @TempDir
  Path dir;

  private Path primary() {
    return dir.resolve("primary");
  }

  private JournalIngest copy(UUID id) throws Exception {
    return JournalIngest.open(JournalConfig.defaults(dir.resolve("copy")), id);
  }

  /** The same GTID as {@link TestData#small} with other content. */
  static Transaction other(long seq) {
    return new Transaction(new Gtid(0, 1, seq), Instant.ofEpochSecond(1_700_000_000L, seq), 1,
        SourcePosition.changeId(seq), List.of(new Change.Message("other", true,
            ("other " + seq).getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void aCopyMadeByIngestHoldsTheSameBytesAtTheSamePositions() throws Exception {
    UUID id = IngestFixture.primary(primary(), 4096, 1, 200, TestData::small);
    try (JournalIngest copy = copy(id)) {
      IngestFixture.copyAll(primary(), copy);
      SegmentFile last = IngestFixture.segments(primary()).getLast();
      assertThat(copy.end()).isEqualTo(new JournalPosition(last.number(), Files.size(last.path())));
    }
    Path copyDir = dir.resolve("copy");
    assertThat(IngestFixture.segments(copyDir)).extracting(s -> s.path().getFileName())
        .isEqualTo(IngestFixture.segments(primary()).stream().map(s -> s.path().getFileName()).toList());
    for (SegmentFile s : IngestFixture.segments(primary())) {
      assertThat(Files.mismatch(s.path(), copyDir.resolve(s.path().getFileName()))).as(s.fileName()).isEqualTo(-1);
    }
    assertThat(JournalIdentity.read(copyDir)).isEqualTo(id);
    List<IngestFixture.Seen> seen = IngestFixture.read(copyDir);
    assertThat(seen).hasSize(200).isEqualTo(IngestFixture.read(primary()));
    assertThat(JournalVerifier.verify(copyDir).problems()).isEmpty();
  }

  @Test
  void aResendOfWhatTheCopyHoldsIsHarmlessAndTheCopyContinuesAfterReopening() throws Exception {
    UUID id = IngestFixture.primary(primary(), 64 << 10, 1, 50, TestData::small);
    SegmentFile open = IngestFixture.segments(primary()).getLast();
    byte[] bytes = Files.readAllBytes(open.path());
    List<Long> cuts = IngestFixture.boundaries(open.path(), open.number());
    int third = (int) (long) cuts.get(cuts.size() / 3);
    int twoThirds = (int) (long) cuts.get(2 * cuts.size() / 3);
    try (JournalIngest copy = copy(id)) {
      assertThat(copy.appendRecords(open.number(), 0, Arrays.copyOfRange(bytes, 0, twoThirds))).isTrue();
      assertThat(copy.appendRecords(open.number(), third, Arrays.copyOfRange(bytes, third, twoThirds)))
          .as("all held: a no-op").isFalse();
    }
    try (JournalIngest copy = copy(id)) {
      assertThat(copy.end()).isEqualTo(new JournalPosition(open.number(), twoThirds));
      assertThat(copy.appendRecords(open.number(), third, Arrays.copyOfRange(bytes, third, bytes.length)))
          .as("the held part skipped, the rest appended").isTrue();
      copy.appendSegment(open.number(), bytes);
      assertThat(copy.end()).isEqualTo(JournalPosition.startOf(open.number() + 1));
    }
    assertThat(IngestFixture.read(dir.resolve("copy"))).isEqualTo(IngestFixture.read(primary()));
  }

  /**
   * Readers of the copy in this process (a replica node's appliers) are woken by each durable
   * write instead of finding it at their next 20 ms poll: the copy's wake moves with every append,
   * seal and whole segment, and not for a resend.
   */
  @Test
  void eachDurableWriteWakesThisProcesssReadersOfTheCopy() throws Exception {
    UUID id = IngestFixture.primary(primary(), 64 << 10, 1, 50, TestData::small);
    SegmentFile open = IngestFixture.segments(primary()).getLast();
    byte[] bytes = Files.readAllBytes(open.path());
    List<Long> cuts = IngestFixture.boundaries(open.path(), open.number());
    int half = (int) (long) cuts.get(cuts.size() / 2);
    TailWatch watch = TailWatch.polling(dir.resolve("copy"));
    try (JournalIngest copy = copy(id)) {
      long v0 = watch.version();
      copy.appendRecords(open.number(), 0, Arrays.copyOfRange(bytes, 0, half));
      long v1 = watch.version();
      assertThat(v1).as("woken by the first records").isGreaterThan(v0);
      copy.appendRecords(open.number(), 0, Arrays.copyOfRange(bytes, 0, half));
      assertThat(watch.version()).as("a resend writes nothing, wakes no one").isEqualTo(v1);
      copy.appendRecords(open.number(), half, Arrays.copyOfRange(bytes, half, bytes.length));
      long v2 = watch.version();
      assertThat(v2).as("woken by more records").isGreaterThan(v1);
      long seen = v2;
      Thread sealer = Thread.ofPlatform().start(() -> {
        try {
          Thread.sleep(200);
          copy.seal(open.number(), cuts.size() - 1);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long started = System.nanoTime();
      DirectoryWake.of(dir.resolve("copy")).await(seen, java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
      sealer.join();
      assertThat(watch.version()).as("woken by the seal").isGreaterThan(v2);
      assertThat(System.nanoTime() - started).as("the wait ended with the seal, not at its 30 s bound")
          .isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
    }
  }

  @Test
  void refusesASegmentOfAnotherJournal() throws Exception {
    IngestFixture.primary(primary(), 4096, 1, 100, TestData::small);
    SegmentFile first = IngestFixture.segments(primary()).getFirst();
    try (JournalIngest copy = copy(UUID.randomUUID())) {
      assertThatThrownBy(() -> copy.appendSegment(first.number(), Files.readAllBytes(first.path())))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 1 at offset 16")
          .hasMessageContaining("the segment belongs to journal " + JournalIdentity.read(primary()))
          .hasMessageContaining("this is a copy of journal " + copy.id());
    }
    assertThatThrownBy(() -> copy(JournalIdentity.read(primary())))
        .isInstanceOf(JournalMismatchException.class).hasMessageContaining("journal.id");
  }

  @Test
  void refusesAGapAndAnOverlap() throws Exception {
    UUID id = IngestFixture.primary(primary(), 4096, 1, 200, TestData::small);
    List<SegmentFile> segments = IngestFixture.segments(primary());
    try (JournalIngest copy = copy(id)) {
      assertThatThrownBy(() -> copy.appendSegment(2, Files.readAllBytes(segments.get(1).path())))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 2 at offset 0: gap: the copy continues with segment 1");
      copy.appendSegment(1, Files.readAllBytes(segments.get(0).path()));
      assertThatThrownBy(() -> copy.appendSegment(1, Files.readAllBytes(segments.get(0).path())))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 1 at offset 0: overlap: the copy already holds segment 1");
      byte[] third = Files.readAllBytes(segments.get(2).path());
      assertThatThrownBy(() -> copy.appendRecords(3, 0, third)).isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("gap: the copy ends at segment 2 offset 0");
      assertThat(copy.end()).isEqualTo(JournalPosition.startOf(2));
    }
    assertThat(IngestFixture.segments(dir.resolve("copy"))).hasSize(1);
  }

  @Test
  void refusesACorruptedByteNamingTheRecord() throws Exception {
    UUID id = IngestFixture.primary(primary(), 4096, 1, 100, TestData::small);
    SegmentFile first = IngestFixture.segments(primary()).getFirst();
    byte[] bytes = Files.readAllBytes(first.path());
    long second = IngestFixture.boundaries(first.path(), first.number()).get(1);
    bytes[(int) second + 30] ^= 0x40;
    try (JournalIngest copy = copy(id)) {
      assertThatThrownBy(() -> copy.appendSegment(first.number(), bytes))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 1 at offset " + second + " (GTID 0-1-2): record checksum mismatch")
          .satisfies(e -> assertThat(((IngestRefusedException) e).offset()).isEqualTo(second));
      assertThat(copy.end()).isEqualTo(JournalPosition.startOf(1));
    }
    try (var files = Files.list(dir.resolve("copy"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains("0000"))).isEmpty();
    }
  }

  @Test
  void refusesAGtidTheCopyHoldsWithOtherContent() throws Exception {
    UUID id = IngestFixture.primary(primary(), 64 << 10, 1, 20, TestData::small);
    Path diverged = dir.resolve("diverged");
    IngestFixture.sameIdentity(diverged, id);
    IngestFixture.primary(diverged, 64 << 10, 1, 20, JournalIngestTest::other);
    SegmentFile held = IngestFixture.segments(primary()).getFirst();
    SegmentFile offered = IngestFixture.segments(diverged).getFirst();
    try (JournalIngest copy = copy(id)) {
      copy.appendRecords(1, 0, Files.readAllBytes(held.path()));
      assertThatThrownBy(() -> copy.appendRecords(1, 0, Files.readAllBytes(offered.path())))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 1 at offset " + SegmentFormat.HEADER_LENGTH + " (GTID 0-1-1): "
              + "conflict: the copy holds GTID 0-1-1 there, with other content");
    }
  }

  @Test
  void refusesGtidsThatDoNotContinueTheCopys() throws Exception {
    UUID id = IngestFixture.primary(primary(), 4096, 1, 100, TestData::small);
    Path jumped = dir.resolve("jumped");
    IngestFixture.sameIdentity(jumped, id);
    IngestFixture.primary(jumped, 4096, 500, 100, TestData::small);
    SegmentFile first = IngestFixture.segments(primary()).getFirst();
    SegmentFile second = IngestFixture.segments(jumped).get(1);
    try (JournalIngest copy = copy(id)) {
      copy.appendSegment(1, Files.readAllBytes(first.path()));
      assertThatThrownBy(() -> copy.appendSegment(2, Files.readAllBytes(second.path())))
          .isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 2 at offset " + SegmentFormat.HEADER_LENGTH)
          .hasMessageContaining("GTID gap: 0-1-");
    }
  }

  @Test
  void refusesNewRecordsCarryingAGtidTheCopyAlreadyHolds() throws Exception {
    UUID id = IngestFixture.primary(primary(), 64 << 10, 1, 20, TestData::small);
    Path again = dir.resolve("again");
    IngestFixture.sameIdentity(again, id);
    IngestFixture.primary(again, 64 << 10, 15, 5, JournalIngestTest::other);
    SegmentFile held = IngestFixture.segments(primary()).getFirst();
    byte[] resent = Files.readAllBytes(IngestFixture.segments(again).getFirst().path());
    try (JournalIngest copy = copy(id)) {
      copy.appendRecords(1, 0, Files.readAllBytes(held.path()));
      long end = copy.end().offset();
      byte[] records = Arrays.copyOfRange(resent, SegmentFormat.HEADER_LENGTH, resent.length);
      assertThatThrownBy(() -> copy.appendRecords(1, end, records)).isInstanceOf(IngestRefusedException.class)
          .hasMessageContaining("refused segment 1 at offset " + end + " (GTID 0-1-15): GTID goes backwards: "
              + "0-1-15 after 0-1-20");
      assertThat(copy.end().offset()).isEqualTo(end);
    }
  }

  @Test
  void aPurgeInterruptedByAStoppingLinkWarnsOfNothingButAnUnreadableNewestSegmentIsWarnedOf() throws Exception {
    UUID id = IngestFixture.primary(primary(), 4096, 1, 200, TestData::small);
    Logger log = (Logger) LoggerFactory.getLogger(JournalIngest.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try (JournalIngest copy = copy(id)) {
      IngestFixture.copyAll(primary(), copy);
      Thread.currentThread().interrupt(); // as a link's close() interrupts its thread in the middle of a pass
      try {
        assertThat(copy.purge()).isEmpty();
      } finally {
        assertThat(Thread.interrupted()).as("the interrupt is kept for the link's loop to see").isTrue();
      }
      assertThat(lines.list).as("nothing to warn of when stopping").noneMatch(e -> e.getLevel().isGreaterOrEqual(
          Level.WARN));

      SegmentFile newest = IngestFixture.segments(dir.resolve("copy")).getLast();
      try (var channel = java.nio.channels.FileChannel.open(newest.path(), java.nio.file.StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(new byte[8]), 0); // its magic gone
      }
      assertThat(copy.purge()).isEmpty();
      assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
          .singleElement().asString().contains("cannot read the newest segment's header, purging nothing")
          .doesNotContain("null");
    } finally {
      log.detachAppender(lines);
    }
  }
}
