package dev.ferry.journal;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Format version 2 only added change kind 8: a version-1 journal reads, verifies and continues as is. */
@Timeout(120)
class FormatVersionTest {
  @TempDir
  Path dir;

  @Test
  void versionOneJournalIsReadVerifiedAndContinuedByThisVersion() throws Exception {
    TestData data = new TestData(42);
    List<Transaction> written = new ArrayList<>();
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(64 << 10))) {
      for (int i = 1; i <= 60; i++) {
        written.add(data.transaction(new Gtid(0, 1, i), 8));
      }
      Journals.appendAll(journal, written);
    }
    rewriteAsVersionOne(dir);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(written);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();

    Transaction nested = new Transaction(new Gtid(0, 1, 61), written.getLast().commitTime(), 9,
        SourcePosition.NONE, List.of(new Change.Ddl("alter table t add c int", "public", 9,
            Optional.of("do $$ begin alter table t add c int; end $$"))));
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(64 << 10))) {
      Journals.appendAll(journal, List.of(nested));
    }
    written.add(nested);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(written);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  /** What a version-1 Ferry wrote: {@code ferry-journal 1} and version 1 in every segment header. */
  private static void rewriteAsVersionOne(Path dir) throws IOException {
    Path id = dir.resolve(SegmentFiles.ID_FILE);
    List<String> lines = Files.readAllLines(id, StandardCharsets.UTF_8);
    assertThat(lines.getFirst()).isEqualTo("ferry-journal 2");
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
