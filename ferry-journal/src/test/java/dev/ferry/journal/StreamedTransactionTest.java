package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed transactions (format 4): chunks keyed by a stream key while in progress, the GTID given
 * at commit, rolled-back subtransactions' changes left out, aborted ones never handed out.
 */
@Timeout(60)
class StreamedTransactionTest {
  private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

  @TempDir
  Path dir;

  private static Gtid key(long xid) {
    return new Gtid(0, 0, xid);
  }

  private static Gtid gtid(long seq) {
    return new Gtid(0, 1, seq);
  }

  private static List<Change> changes(long from, int n) {
    List<Change> out = new ArrayList<>();
    for (long i = from; i < from + n; i++) {
      out.addAll(TestData.small(i).changes());
    }
    return out;
  }

  @Test
  void interleavedStreamedTransactionsAreHandedOutInCommitOrderUnderTheGtidsGivenAtCommit() throws Exception {
    List<Change> a1 = changes(100, 3);
    List<Change> b1 = changes(200, 2);
    List<Change> a2 = changes(300, 4);
    List<Change> b2 = changes(400, 1);
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096));
        JournalReader reader = journal.readerAtOldest()) {
      LargeTransactionWriter a = journal.beginStreamed(key(700));
      LargeTransactionWriter b = journal.beginStreamed(key(701));
      a.append(a1);
      b.append(b1);
      journal.append(TestData.small(1)).join();
      a.append(a2);
      b.append(b2);
      assertThat(reader.next(Duration.ofSeconds(5))).map(JournalTransaction::gtid).contains(gtid(1));
      assertThat(reader.next(Duration.ofMillis(200))).as("nothing before a COMMIT").isEmpty();
      // b started last and commits first: it takes the next GTID.
      b.commit(gtid(2), T, 0, SourcePosition.pgLsn(20), List.of()).join();
      a.commit(gtid(3), T, 0, SourcePosition.pgLsn(30), List.of()).join();
    }
    List<Transaction> read = Journals.readAll(dir);
    assertThat(Journals.seqs(read)).containsExactly(1L, 2L, 3L);
    assertThat(read.get(1).changes()).isEqualTo(concat(b1, b2));
    assertThat(read.get(2).changes()).isEqualTo(concat(a1, a2));
    assertThat(read.get(2).sourcePosition()).isEqualTo(SourcePosition.pgLsn(30));
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void changesOfRolledBackSubtransactionsAreLeftOutAcrossChunks() throws Exception {
    List<Change> all = changes(1, 12);
    try (Journal journal = Journal.open(Journals.config(dir))) {
      LargeTransactionWriter s = journal.beginStreamed(key(9));
      s.append(all.subList(0, 5));
      s.append(all.subList(5, 9));
      s.append(all.subList(9, 12));
      s.commit(gtid(1), T, 0, SourcePosition.pgLsn(1),
          List.of(new LargeTransactionWriter.Dropped(1, 2), new LargeTransactionWriter.Dropped(4, 10))).join();
    }
    List<Change> expected = new ArrayList<>(all);
    expected.subList(4, 10).clear();
    expected.remove(1);
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      JournalTransaction tx = reader.next(Duration.ofSeconds(5)).orElseThrow();
      assertThat(tx.changeCount()).isEqualTo(expected.size());
      assertThat(tx.toTransaction().changes()).isEqualTo(expected);
    }
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void anAbortedStreamedTransactionIsNeverHandedOutAndTakesNoGtid() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      LargeTransactionWriter s = journal.beginStreamed(key(5));
      s.append(changes(1, 3));
      journal.append(TestData.small(1)).join();
      s.abort().join();
      journal.append(TestData.small(2)).join();
    }
    assertThat(Journals.seqs(Journals.readAll(dir))).containsExactly(1L, 2L);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void chunksLeftByACrashedWriterUnderTheSameKeyAreNotTakenForTheResentTransaction() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.beginStreamed(key(42)).append(changes(1, 2)).join();
      // closed without COMMIT or ABORT, as after kill -9; the source sends it again from its start
    }
    List<Change> again = changes(50, 3);
    try (Journal journal = Journal.open(Journals.config(dir))) {
      LargeTransactionWriter s = journal.beginStreamed(key(42));
      s.append(again);
      s.commit(gtid(1), T, 0, SourcePosition.pgLsn(9), List.of()).join();
    }
    List<Transaction> read = Journals.readAll(dir);
    assertThat(read).hasSize(1);
    assertThat(read.getFirst().changes()).isEqualTo(again);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void droppedRangesMustLieWithinTheChangesAppended() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      LargeTransactionWriter s = journal.beginStreamed(key(1));
      s.append(changes(1, 2));
      assertThatThrownBy(() -> s.commit(gtid(1), T, 0, SourcePosition.NONE,
          List.of(new LargeTransactionWriter.Dropped(1, 3)))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("beyond its 2 changes");
    }
  }

  @Test
  void theStreamedFlagIsCorruptionOnATxRecordAndInSegmentsOfOlderVersions() {
    int chunk = SegmentFormat.RecordType.CHUNK.code;
    int tx = SegmentFormat.RecordType.TX.code;
    assertThat(SegmentFormat.bodyHeaderProblem(chunk, SegmentFormat.FLAG_STREAMED, 1, 100, 4)).isEmpty();
    assertThat(SegmentFormat.bodyHeaderProblem(chunk, SegmentFormat.FLAG_STREAMED, 1, 100, 3))
        .hasValue("CHUNK record has unknown flags 2");
    assertThat(SegmentFormat.bodyHeaderProblem(tx, SegmentFormat.FLAG_STREAMED, 1, 100, 4))
        .hasValue("TX record has unknown flags 2");
  }

  /** Random interleavings of streamed transactions, whole ones and aborts, with random dropped ranges. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomInterleavingsReadBackAsCommittedInCommitOrder(long seed) throws Exception {
    List<Transaction> expected = writeRandom(dir, seed);
    assertThat(Journals.readAll(dir)).containsExactlyElementsOf(expected);
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }

  @Test
  void aCopyMadeByIngestAcceptsStreamedRecordsAndReadsTheSame() throws Exception {
    Path primary = dir.resolve("primary");
    List<Transaction> expected = writeRandom(primary, 11);
    Path copyDir = dir.resolve("copy");
    try (JournalIngest copy = JournalIngest.open(JournalConfig.defaults(copyDir), JournalIdentity.read(primary))) {
      IngestFixture.copyAll(primary, copy);
    }
    assertThat(Journals.readAll(copyDir)).containsExactlyElementsOf(expected);
    assertThat(JournalVerifier.verify(copyDir).problems()).isEmpty();
  }

  /** Writes a seeded random mix of streamed, whole and aborted transactions; returns what readers must see. */
  private static List<Transaction> writeRandom(Path dir, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    List<Transaction> expected = new ArrayList<>();
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096))) {
      Map<Long, LargeTransactionWriter> open = new HashMap<>();
      Map<Long, List<Change>> written = new HashMap<>();
      long nextXid = 1;
      long nextSeq = 1;
      long source = 1;
      for (int step = 0; step < 200; step++) {
        int what = random.nextInt(10);
        if (what < 2 || open.isEmpty()) {
          long xid = nextXid++;
          open.put(xid, journal.beginStreamed(key(xid)));
          written.put(xid, new ArrayList<>());
        } else if (what < 6) {
          long xid = pick(random, open);
          List<Change> chunk = changes(source, 1 + random.nextInt(4));
          source += 10;
          open.get(xid).append(chunk);
          written.get(xid).addAll(chunk);
        } else if (what < 7) {
          Transaction whole = TestData.small(nextSeq++);
          journal.append(whole);
          expected.add(whole);
        } else if (what < 8) {
          long xid = pick(random, open);
          open.remove(xid).abort();
        } else {
          long xid = pick(random, open);
          List<Change> all = written.get(xid);
          List<LargeTransactionWriter.Dropped> dropped = new ArrayList<>();
          List<Change> kept = new ArrayList<>();
          long at = 0;
          while (at < all.size()) {
            long to = at + 1 + random.nextInt(3);
            if (random.nextInt(3) == 0 && to <= all.size()) {
              dropped.add(new LargeTransactionWriter.Dropped(at, to));
            } else {
              kept.addAll(all.subList((int) at, (int) Math.min(to, all.size())));
            }
            at = Math.min(to, all.size());
          }
          Gtid g = gtid(nextSeq++);
          open.remove(xid).commit(g, T, 0, SourcePosition.pgLsn(source), dropped);
          expected.add(new Transaction(g, T, 0, SourcePosition.pgLsn(source), kept));
        }
      }
      journal.append(TestData.small(nextSeq)).join();
      expected.add(TestData.small(nextSeq));
    }
    return expected;
  }

  private static long pick(SplittableRandom random, Map<Long, LargeTransactionWriter> open) {
    List<Long> xids = new ArrayList<>(open.keySet());
    xids.sort(null);
    return xids.get(random.nextInt(xids.size()));
  }

  private static List<Change> concat(List<Change> a, List<Change> b) {
    List<Change> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
