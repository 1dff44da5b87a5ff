package dev.ferry.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Gtid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry promote --fetch-from} into a journal copy from a directory: what the source holds
 * beyond the copy's end is taken (sealed segments, an open segment's whole records), byte for byte;
 * a source with nothing more is reported; another history or another journal is refused naming the
 * segment and GTID, and nothing is written; a source that purged the segment the copy continues with
 * is refused naming it.
 */
@Timeout(60)
class CopyFetchTest {
  @TempDir Path primary;
  @TempDir Path copy;
  @TempDir Path other;
  @TempDir Path scratch;

  /** Transactions {@code from..to} (accounts inserts, or messages) appended to the journal in {@code dir}, 4 KiB segments. */
  private static void write(Path dir, long from, long to, boolean messages) throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096))) {
      for (long seq = from; seq <= to; seq++) {
        journal.append(messages ? Transactions.message(seq, 40) : Transactions.accounts(seq)).join();
      }
    }
  }

  private static List<SegmentInfo> sealed(Path dir) throws Exception {
    return JournalInspector.list(dir).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
  }

  /** A copy of the primary's first {@code count} sealed segments, plus {@code tailBytes} of the next one (cut anywhere). */
  private void copyOf(int count, int tailBytes) throws Exception {
    UUID id = JournalInspector.journalId(primary);
    List<SegmentInfo> segments = sealed(primary);
    try (JournalIngest ingest = JournalIngest.open(JournalConfig.defaults(copy), id)) {
      for (SegmentInfo s : segments.subList(0, count)) {
        ingest.appendSegment(s.number(), s.recordCount(), Files.readAllBytes(s.path()));
      }
      if (tailBytes > 0) {
        SegmentInfo next = segments.get(count);
        Path cut = scratch.resolve(SegmentFiles.openName(next.number()));
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(next.path()), tailBytes));
        ingest.appendRecords(next.number(), 0, JournalInspector.wholeRecords(cut, next.number(), id));
      }
    }
  }

  private static List<Gtid> gtids(Path dir) throws Exception {
    List<Gtid> all = new ArrayList<>();
    try (JournalReader r = JournalReader.openAtOldest(dir)) {
      for (Optional<JournalTransaction> t = r.next(Duration.ZERO); t.isPresent(); t = r.next(Duration.ZERO)) {
        all.add(t.get().gtid());
      }
    }
    return all;
  }

  @Test
  void takesWhatTheSourceHoldsBeyondTheCopysEndByteForByteThenNothingMore() throws Exception {
    write(primary, 1, 300, false);
    copyOf(3, 1500);
    List<Gtid> held = gtids(copy);
    CopyFetch.Fetched f = CopyFetch.fromDirectory(JournalConfig.defaults(copy), primary, "c.yaml");
    List<Gtid> all = gtids(primary);
    assertThat(gtids(copy)).isEqualTo(all);
    assertThat(f.gtids()).isEqualTo(all.subList(held.size(), all.size()));
    long last = JournalInspector.list(primary).getLast().number();
    assertThat(f.toString()).isEqualTo("fetched " + all.get(held.size()) + ".." + all.getLast() + " ("
        + (all.size() - held.size()) + " transactions, segments 4.." + last + ") from c.yaml");
    for (SegmentInfo s : JournalInspector.list(primary)) {
      Path mine = SegmentFiles.isOpenSegment(s.path()) ? copy.resolve(SegmentFiles.openName(s.number()))
          : copy.resolve(s.path().getFileName());
      assertThat(Files.readAllBytes(mine)).as("segment %d", s.number()).isEqualTo(Files.readAllBytes(s.path()));
    }
    CopyFetch.Fetched again = CopyFetch.fromDirectory(JournalConfig.defaults(copy), primary, "c.yaml");
    assertThat(again.nothing()).isTrue();
    assertThat(again.toString()).startsWith("fetched nothing from c.yaml: it holds nothing beyond this copy's end");
  }

  @Test
  void takesOnlyTheWholeRecordsOfATornOpenSegmentAndASecondFetchGoesOn() throws Exception {
    write(primary, 1, 200, false);
    copyOf(2, 0);
    List<SegmentInfo> segments = sealed(primary);
    SegmentInfo third = segments.get(2);
    Path source = Files.createDirectories(scratch.resolve("source"));
    Files.copy(SegmentFiles.idFile(primary), SegmentFiles.idFile(source));
    for (SegmentInfo s : segments.subList(0, 2)) {
      Files.copy(s.path(), source.resolve(s.path().getFileName()));
    }
    byte[] bytes = Files.readAllBytes(third.path());
    Files.write(source.resolve(SegmentFiles.openName(third.number())), Arrays.copyOf(bytes, bytes.length - 7));
    CopyFetch.Fetched torn = CopyFetch.fromDirectory(JournalConfig.defaults(copy), source, "torn");
    assertThat(torn.toString()).contains("segment 3)");
    assertThat(torn.gtids()).isNotEmpty().last().isEqualTo(gtids(source).getLast());
    CopyFetch.Fetched rest = CopyFetch.fromDirectory(JournalConfig.defaults(copy), primary, "c.yaml");
    assertThat(rest.gtids().getFirst().seq()).isEqualTo(torn.gtids().getLast().seq() + 1);
    assertThat(gtids(copy)).isEqualTo(gtids(primary));
  }

  @Test
  void refusesAnotherHistoryNamingTheSegmentAndGtidAndWritesNothing() throws Exception {
    write(primary, 1, 300, false);
    copyOf(3, 0);
    Files.copy(SegmentFiles.idFile(primary), SegmentFiles.idFile(other)); // the same journal UUID
    write(other, 1, 20, false);
    write(other, 21, 400, true); // other content from 0-1-21 on
    List<Path> before = files(copy);
    List<SegmentInfo> held = JournalInspector.list(copy).stream().filter(s -> s.number() == 3).toList();
    assertThatThrownBy(() -> CopyFetch.fromDirectory(JournalConfig.defaults(copy), other, "d.yaml"))
        .isInstanceOf(CopyFetch.RefusedException.class)
        .hasMessageContaining("cannot fetch from d.yaml: it holds another history than this copy: its segment 3 is "
            + "not the copy's newest segment 3 (GTIDs " + held.getFirst().firstGtid().orElseThrow() + "..")
        .hasMessageContaining("(refused segment 3 at offset ").hasMessageContaining("nothing was fetched from it");
    assertThat(files(copy)).isEqualTo(before);
  }

  @Test
  void refusesAnotherJournalAndASourceThatPurgedTheNextSegment() throws Exception {
    write(primary, 1, 300, false);
    copyOf(2, 0);
    write(other, 1, 300, false);
    assertThatThrownBy(() -> CopyFetch.fromDirectory(JournalConfig.defaults(copy), other, "x.yaml"))
        .isInstanceOf(CopyFetch.RefusedException.class).hasMessageContaining("cannot fetch from x.yaml: ")
        .hasMessageContaining("holds journal " + JournalInspector.journalId(other) + ", this is a copy of journal "
            + JournalInspector.journalId(primary));
    Path purged = Files.createDirectories(scratch.resolve("purged"));
    for (SegmentInfo s : sealed(primary).subList(3, 5)) {
      Files.copy(s.path(), purged.resolve(s.path().getFileName()));
    }
    assertThatThrownBy(() -> CopyFetch.fromDirectory(JournalConfig.defaults(copy), purged, "archive"))
        .isInstanceOf(CopyFetch.RefusedException.class)
        .hasMessageContaining("it no longer holds segment 3, which this copy continues with (it holds segments 4..5");
    assertThatThrownBy(() -> CopyFetch.fromDirectory(JournalConfig.defaults(scratch.resolve("none")), primary, "c"))
        .isInstanceOf(CopyFetch.RefusedException.class).hasMessageContaining("holds no journal copy yet");
  }

  private static List<Path> files(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".lock")).sorted().toList();
    }
  }
}
