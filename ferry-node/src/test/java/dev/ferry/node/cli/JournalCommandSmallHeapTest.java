package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.JavaProcess;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry journal verify} and {@code ferry journal dump} in a JVM of 64 MiB on a journal
 * holding a forged record: a valid checksum around a compressed payload that claims 500 MiB.
 * Both must report corruption naming the file and offset, not run out of memory.
 */
@Timeout(180)
class JournalCommandSmallHeapTest {
  private static final int CLAIMED = 500 << 20;

  @TempDir Path dir;

  /** One real transaction, then the forged TX record (layout in docs/journal-format.md); returns its offset. */
  private long journalWithForgedRecord() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      journal.append(new Transaction(new Gtid(0, 1, 1), Instant.EPOCH, 1, SourcePosition.changeId(1),
          List.of(new Change.Insert(new TableId("public", "t"), List.of(new Column("id", "int8", 20)),
              List.of(new Value.Int64(1)))))).join();
    }
    Path open;
    try (Stream<Path> files = Files.list(dir)) {
      open = files.filter(SegmentFiles::isOpenSegment).findFirst().orElseThrow();
    }
    long offset = Files.size(open);
    int length = 18 + 4 + 80;
    ByteBuffer frame = ByteBuffer.allocate(8 + length);
    frame.putInt(length).putInt(0).put((byte) 1).put((byte) 1).putInt(0).putInt(1).putLong(2);
    frame.putInt(CLAIMED).putInt(0x28B52FFD);
    CRC32C crc = new CRC32C();
    crc.update(frame.array(), 0, 4);
    crc.update(frame.array(), 8, length);
    frame.putInt(4, (int) crc.getValue());
    Files.write(open, frame.array(), StandardOpenOption.APPEND);
    return offset;
  }

  @Test
  void verifyAndDumpReportTheForgedLengthAsCorruptionInASixtyFourMebibyteHeap() throws Exception {
    long offset = journalWithForgedRecord();
    for (String command : List.of("verify", "dump")) {
      try (JavaProcess p = JavaProcess.start(FerryMain.class, List.of("-Xmx64m"), "journal", command,
          dir.toString())) {
        int exit = p.awaitExit(Duration.ofMinutes(2));
        String output = p.output();
        assertThat(output).as(command).doesNotContain("OutOfMemoryError").doesNotContain("internal error")
            .contains("at offset " + offset).contains("claims " + CLAIMED + " bytes");
        assertThat(exit).as("%s: %s", command, output).isEqualTo(1);
      }
    }
  }
}
