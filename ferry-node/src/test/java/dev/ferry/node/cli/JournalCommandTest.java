package dev.ferry.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class JournalCommandTest {
  private static final TableId ACCOUNTS = new TableId("public", "accounts");
  private static final List<Column> COLUMNS = List.of(new Column("id", "int8", 20), new Column("note", "text", 25),
      new Column("blob", "bytea", 17));

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void writeJournal() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096))) {
      for (int i = 1; i <= 60; i++) {
        journal.append(tx(i)).get();
      }
    }
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private static Transaction tx(int i) {
    List<Value> row = List.of(new Value.Int64(i), i % 3 == 0 ? Value.NULL : new Value.Text("note \"" + i + "\"\n" + "x".repeat(100)),
        new Value.Bytes(new byte[] {(byte) i, 0, -1}));
    return Transactions.tx(i, new Change.Insert(ACCOUNTS, COLUMNS, row));
  }

  @Test
  void lsListsEverySegmentWithItsStateAndGtids() {
    assertThat(FerryMain.run("journal", "ls", dir.toString())).isZero();
    String listing = out.toString(StandardCharsets.UTF_8);
    assertThat(listing).contains("SEALED").contains("0-1-1").contains("0-1-60");
    assertThat(listing.lines().filter(l -> l.contains("SEALED")).count()).isGreaterThan(1);
  }

  @Test
  void verifyPassesOnAHealthyJournal() {
    assertThat(FerryMain.run("journal", "verify", dir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("ok: ").contains("60 records");
  }

  @Test
  void verifyNamesTheSegmentAndOffsetOfAFlippedByte() throws Exception {
    Path sealed;
    try (Stream<Path> files = Files.list(dir)) {
      sealed = files.filter(SegmentFiles::isSealedSegment).sorted().findFirst().orElseThrow();
    }
    long at = Files.size(sealed) - 10;
    try (RandomAccessFile f = new RandomAccessFile(sealed.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }
    assertThat(FerryMain.run("journal", "verify", dir.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(sealed.getFileName().toString()).contains("offset");
  }

  @Test
  void dumpPrintsOneJsonLinePerTransactionFromAGtid() {
    assertThat(FerryMain.run("journal", "dump", dir.toString(), "--from", "0-1-57", "--json")).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.getFirst()).startsWith("{\"gtid\":\"0-1-58\"")
        .contains("\"op\":\"insert\"").contains("\"table\":\"public.accounts\"")
        .contains("\"note \\\"58\\\"\\nxxx").contains("{\"hex\":\"3a00ff\"}");
    assertThat(lines.get(2)).contains("\"gtid\":\"0-1-60\"").contains("null");
  }

  @Test
  void dumpInTextShowsEveryChange() {
    assertThat(FerryMain.run("journal", "dump", dir.toString())).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(120);
    assertThat(lines.get(1)).startsWith("  INSERT public.accounts (1, ");
  }

  @Test
  void aMissingDirectoryIsOneClearLineAndExitCodeOne() {
    assertThat(FerryMain.run("journal", "ls", dir.resolve("nope").toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("ferry journal ls: journal directory " + dir.resolve("nope") + " does not exist");
  }

  @Test
  void aMalformedGtidIsRefused() {
    assertThat(FerryMain.run("journal", "dump", dir.toString(), "--from", "zero")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from").contains("zero");
  }
}
