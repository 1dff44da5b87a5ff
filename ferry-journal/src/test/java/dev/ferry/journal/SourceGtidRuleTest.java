package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's GTID rule for a source whose GTIDs are its own (MariaDB): each record's source
 * position carries its GTID, so the journal keeps the source's history — holes ({@code SET
 * gtid_seq_no} ahead) and a second domain — while each domain still must rise: a duplicate or a
 * step backwards within a domain is still reported. A journal whose GTIDs Ferry hands out keeps the
 * strict rule (a hole is a gap, {@link VerifyGtidRuleTest}).
 */
@Timeout(60)
class SourceGtidRuleTest {
  @TempDir
  Path dir;

  /** A transaction whose GTID is its MariaDB source's: its binlog position carries it. */
  static Transaction maria(long domain, long seq) {
    Gtid gtid = new Gtid(domain, 1, seq);
    Transaction t = TestData.small(seq);
    return new Transaction(gtid, t.commitTime(), 0, SourcePosition.binlog("mariadb-bin.000001", 256 + seq)
        .withSourceGtid(gtid), t.changes());
  }

  private void write(Path journalDir, List<Transaction> transactions) throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(journalDir).withSegmentBytes(4096))) {
      for (Transaction t : transactions) {
        journal.append(t).join();
      }
      Gtid big = new Gtid(0, 1, 3000); // a chunked transaction after a hole: its COMMIT carries the GTID
      LargeTransactionWriter large = journal.beginLarge(big);
      large.append(TestData.small(3000).changes()).join();
      large.commit(TestData.small(3000).commitTime(), 0, SourcePosition.binlog("mariadb-bin.000001", 9000)
          .withSourceGtid(big)).join();
      journal.append(maria(1, 10)).join();
    }
  }

  @Test
  void aJournalOfTheSourcesOwnGtidsKeepsItsHolesAndASecondDomainAndACopyTakesIt() throws Exception {
    Path primary = dir.resolve("primary");
    write(primary, List.of(maria(0, 1), maria(0, 2), maria(0, 1000), maria(1, 5), maria(0, 1001), maria(1, 9)));
    assertThat(JournalVerifier.verify(primary).problems()).isEmpty();
    try (JournalIngest copy = JournalIngest.open(JournalConfig.defaults(dir.resolve("copy")),
        JournalIdentity.read(primary))) {
      IngestFixture.copyAll(primary, copy);
    }
    assertThat(JournalVerifier.verify(dir.resolve("copy")).problems()).isEmpty();
  }

  @Test
  void aDuplicateOrAStepBackwardsWithinADomainIsStillReported() throws Exception {
    write(dir, List.of(maria(0, 1), maria(1, 5), maria(0, 7), maria(1, 4), maria(0, 7)));
    assertThat(JournalVerifier.verify(dir).problems()).extracting(Object::toString).satisfiesExactly(
        p -> assertThat(p).contains("GTID goes backwards: 1-1-4 after 1-1-5"),
        p -> assertThat(p).contains("duplicate GTID: 0-1-7"));
  }
}
