package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the committed fixture journals with this code's format (see
 * {@code src/test/resources/journals/README.md}). Runs only when asked:
 * {@code -Dferry.fixtures.write=<ferry-journal/src/test/resources/journals>}.
 */
@Timeout(120)
@EnabledIfSystemProperty(named = "ferry.fixtures.write", matches = ".+")
class OldJournalFixturesWriter {
  /** Small segments, so a fixture spans several, a chunked transaction crosses one, the last is open. */
  static final long SEGMENT_BYTES = 4 << 10;

  @TempDir
  Path scratch;

  @Test
  void writesTheFixtureJournalsOfThisFormatVersion() throws Exception {
    Path out = Path.of(System.getProperty("ferry.fixtures.write"));
    int version = SegmentFormat.VERSION;
    write(scratch.resolve("current"), version);
    publish(scratch.resolve("current"), out.resolve("v" + version));
    if (version == 2) {
      // Version 1 differs from 2 only by lacking change kind 8: a version-2 journal without it,
      // its headers and journal.id saying 1, is byte for byte what a version-1 Ferry wrote.
      Path one = scratch.resolve("one");
      write(one, 1);
      rewriteAsVersionOne(one);
      publish(one, out.resolve("v1"));
    }
  }

  private static void write(Path dir, int version) throws IOException {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(SEGMENT_BYTES))) {
      List<OldJournalFixtures.Aborted> pendingAborts = new ArrayList<>();
      for (OldJournalFixtures.Step step : OldJournalFixtures.steps(version)) {
        switch (step) {
          case OldJournalFixtures.Whole w -> journal.append(w.tx()).join();
          case OldJournalFixtures.Aborted a -> pendingAborts.add(a);
          case OldJournalFixtures.Chunked c -> writeChunked(journal, c, pendingAborts);
          case OldJournalFixtures.Streamed st -> writeStreamed(journal, st);
        }
      }
    }
  }

  /** A chunked transaction, with any pending aborted one interleaved and rolled back before it commits. */
  private static void writeChunked(Journal journal, OldJournalFixtures.Chunked c,
      List<OldJournalFixtures.Aborted> pendingAborts) {
    List<LargeTransactionWriter> aborted = new ArrayList<>();
    LargeTransactionWriter big = journal.beginLarge(c.tx().gtid());
    List<Change> changes = c.tx().changes();
    int per = (changes.size() + c.chunks() - 1) / c.chunks();
    for (int from = 0; from < changes.size(); from += per) {
      big.append(changes.subList(from, Math.min(changes.size(), from + per))).join();
      if (from == 0) {
        for (OldJournalFixtures.Aborted a : pendingAborts) {
          LargeTransactionWriter w = journal.beginLarge(a.gtid());
          w.append(a.changes()).join();
          aborted.add(w);
        }
        pendingAborts.clear();
      }
    }
    aborted.forEach(w -> w.abort().join());
    big.commit(c.tx().commitTime(), c.tx().schemaSequence(), c.tx().sourcePosition()).join();
  }

  /** A streamed transaction: two chunks around one that is dropped, a rolled-back one interleaved. */
  private static void writeStreamed(Journal journal, OldJournalFixtures.Streamed st) {
    List<Change> changes = st.tx().changes();
    LargeTransactionWriter w = journal.beginStreamed(new Gtid(0, 0, st.xid()));
    LargeTransactionWriter rolledBack = journal.beginStreamed(new Gtid(0, 0, st.xid() + 1));
    w.append(changes.subList(0, 1)).join();
    rolledBack.append(st.dropped()).join();
    w.append(st.dropped()).join();
    w.append(changes.subList(1, changes.size())).join();
    rolledBack.abort().join();
    w.commit(st.tx().gtid(), st.tx().commitTime(), st.tx().schemaSequence(), st.tx().sourcePosition(),
        List.of(new LargeTransactionWriter.Dropped(1, 1 + st.dropped().size()))).join();
  }

  /** Copies {@code journal.id} and the segment files (no lock, no consumers) into {@code target}. */
  private static void publish(Path journal, Path target) throws IOException, InterruptedException {
    Files.createDirectories(target);
    try (var old = Files.list(target)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    Files.copy(journal.resolve(SegmentFiles.ID_FILE), target.resolve(SegmentFiles.ID_FILE));
    for (SegmentFiles.SegmentFile s : SegmentFiles.list(journal)) {
      Files.copy(s.path(), target.resolve(s.path().getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
    }
    assertThat(Journals.readAll(target)).isNotEmpty();
  }

  private static void rewriteAsVersionOne(Path dir) throws IOException {
    Path id = dir.resolve(SegmentFiles.ID_FILE);
    List<String> lines = Files.readAllLines(id, StandardCharsets.UTF_8);
    Files.writeString(id, "ferry-journal 1\n" + lines.get(1) + "\n", StandardCharsets.UTF_8);
    for (SegmentFiles.SegmentFile segment : SegmentFiles.list(dir)) {
      try (FileChannel ch = FileChannel.open(segment.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ByteBuffer header = ByteBuffer.allocate(SegmentFormat.HEADER_LENGTH);
        ch.read(header, 0);
        header.putShort(8, (short) 1);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, SegmentFormat.HEADER_LENGTH - 4);
        header.putInt(SegmentFormat.HEADER_LENGTH - 4, (int) crc.getValue());
        ch.write(header.rewind(), 0);
      }
    }
  }
}
