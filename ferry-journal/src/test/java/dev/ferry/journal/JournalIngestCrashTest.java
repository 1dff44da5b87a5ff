package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM halted in the middle of ingesting leaves no partial segment visible: every sealed file of
 * the copy is whole and the primary's, the open one a prefix of the primary's; the copy opens
 * again and continues to a byte-identical copy.
 */
@Timeout(180)
class JournalIngestCrashTest {
  @TempDir
  Path dir;

  @Test
  void aHaltWhileIngestingLeavesNothingPartialVisibleAndTheCopyContinues() throws Exception {
    Path primary = dir.resolve("primary");
    UUID id = writePrimary(primary);
    for (long seed = 1; seed <= 3; seed++) {
      Path copy = dir.resolve("copy-" + seed);
      try (JavaProcess child = JavaProcess.start(IngestCrashMain.class, List.of("-Xmx128m"), primary.toString(),
          copy.toString(), Long.toString(seed))) {
        assertThat(child.awaitExit(Duration.ofSeconds(60))).as("halted; output:%n%s", child.output()).isEqualTo(9);
        assertThat(child.output()).contains("HALTING AFTER").doesNotContain("DONE");
      }
      assertNothingPartialIsVisible(primary, copy);
      try (JournalIngest ingest = JournalIngest.open(JournalConfig.defaults(copy), id)) {
        resume(primary, ingest);
      }
      for (SegmentFile s : SegmentFiles.list(primary)) {
        assertThat(Files.mismatch(s.path(), copy.resolve(s.path().getFileName()))).as(s.fileName()).isEqualTo(-1);
      }
      assertThat(SegmentFiles.list(copy)).hasSameSizeAs(SegmentFiles.list(primary));
      assertThat(IngestFixture.read(copy)).isEqualTo(IngestFixture.read(primary));
    }
  }

  /** About 30 segments of 64 KiB, the last one open. */
  private static UUID writePrimary(Path primary) throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(64 << 10))) {
      List<Transaction> all = new ArrayList<>();
      for (long seq = 1; seq <= 500; seq++) {
        byte[] content = new byte[3000 + random.nextInt(2000)];
        random.nextBytes(content);
        all.add(new Transaction(new Gtid(0, 1, seq), Instant.ofEpochSecond(1_700_000_000L, seq), 1,
            SourcePosition.changeId(seq), List.of(new Change.Message("crash", true, content))));
      }
      Journals.appendAll(journal, all);
      return journal.id();
    }
  }

  private static void assertNothingPartialIsVisible(Path primary, Path copy) throws IOException {
    for (SegmentFile s : SegmentFiles.list(copy)) {
      byte[] held = Files.readAllBytes(s.path());
      Path original = SegmentFiles.find(primary, s.number()).orElseThrow().path();
      if (s.open()) {
        byte[] whole = Files.readAllBytes(original);
        assertThat(held.length).as("open %s", s.fileName()).isLessThanOrEqualTo(whole.length);
        assertThat(Arrays.equals(held, Arrays.copyOf(whole, held.length))).as("open %s is a prefix", s.fileName())
            .isTrue();
      } else {
        assertThat(Files.mismatch(s.path(), primary.resolve(s.path().getFileName())))
            .as("sealed %s is whole", s.fileName()).isEqualTo(-1);
      }
    }
    try (Stream<Path> files = Files.list(copy)) {
      assertThat(files.filter(p -> SegmentFiles.isOpenSegment(p)).count()).isLessThanOrEqualTo(1);
    }
  }

  /** Continues from where the copy ends, as a transport would. */
  private static void resume(Path primary, JournalIngest copy) throws IOException {
    JournalPosition end = copy.end();
    for (SegmentFile s : SegmentFiles.list(primary)) {
      if (s.number() < end.segment()) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(s.path());
      if (s.open()) {
        long from = s.number() == end.segment() ? end.offset() : 0;
        copy.appendRecords(s.number(), from, Arrays.copyOfRange(bytes, (int) from, bytes.length));
      } else {
        copy.appendSegment(s.number(), bytes);
      }
    }
  }
}
