package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class VerifyGtidRuleTest {
  @TempDir
  Path dir;

  /** Transactions 0-1-1..3 written by the journal, then a checksummed TX record with the given GTID. */
  private void journalThen(long domain, long seq) throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      Journals.appendAll(journal, List.of(TestData.small(1), TestData.small(2), TestData.small(3)));
    }
    Path open = SegmentFiles.list(dir).getLast().path();
    Forge.append(open, Forge.frame(SegmentFormat.RecordType.TX.code, 0, domain, 1, seq,
        Forge.payloadOf(TestData.small(seq))));
  }

  @ParameterizedTest(name = "{0}-1-{1}: {2}")
  @CsvSource({"0, 3, duplicate GTID: 0-1-3", "0, 2, GTID goes backwards: 0-1-2 after 0-1-3",
      "0, 6, GTID gap: 0-1-6 follows 0-1-3, 2 sequence number(s) missing", "7, 4, foreign domain: GTID 7-1-4"})
  void reportsAGtidThatBreaksTheJournalsRuleNamingItAndTheOneBefore(long domain, long seq, String expected)
      throws Exception {
    journalThen(domain, seq);
    assertThat(JournalVerifier.verify(dir).problems()).singleElement()
        .satisfies(p -> assertThat(p.toString()).contains(expected).contains("0-1-3"))
        .satisfies(p -> assertThat(p.gtid()).contains(new Gtid(domain, 1, seq)));
  }

  @Test
  void anAbortedChunkedTransactionGivesItsGtidBackToTheNextTransaction() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      journal.append(TestData.small(1)).join();
      LargeTransactionWriter aborted = journal.beginLarge(new Gtid(0, 1, 2));
      aborted.append(TestData.small(2).changes()).join();
      aborted.abort().join();
      Journals.appendAll(journal, List.of(TestData.small(2), TestData.small(3)));
    }
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }
}
