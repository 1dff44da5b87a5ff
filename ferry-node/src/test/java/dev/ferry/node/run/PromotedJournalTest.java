package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.MemorySink;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks a node makes before it continues a promoted journal as its source: each wrong setting
 * is refused by name. No database: the record's database identity is left empty, so none is reached.
 */
class PromotedJournalTest {
  private static final Gtid BRANCH = new Gtid(0, 1, 812);

  @TempDir Path dir;

  @Test
  void aJournalNeverPromotedIsNoContinuation() throws Exception {
    assertThat(PromotedJournal.check(node(1, 0, "ferry_primary"))).isEmpty();
  }

  @Test
  void continuesWithItsOwnServerIdInTheBranchPointsDomain() throws Exception {
    record(true, true);
    assertThat(PromotedJournal.check(node(2, 0, "ferry_primary"))).get()
        .extracting(p -> p.branchPoint().orElseThrow()).isEqualTo(BRANCH);
  }

  @Test
  void refusesTheOldPrimarysServerIdNamingTheSetting() throws Exception {
    record(true, true);
    assertThatThrownBy(() -> PromotedJournal.check(node(1, 0, "ferry_primary")))
        .hasMessageContaining("source.gtid.server-id is 1, the old primary's (branch point 0-1-812");
  }

  @Test
  void refusesAnotherDomainNamingTheSetting() throws Exception {
    record(true, true);
    assertThatThrownBy(() -> PromotedJournal.check(node(2, 3, "ferry_primary")))
        .hasMessageContaining("source.gtid.domain is 3").hasMessageContaining("set source.gtid.domain: 0");
  }

  @Test
  void refusesAnotherSlotThanPromoteMade() throws Exception {
    record(true, true);
    assertThatThrownBy(() -> PromotedJournal.check(node(2, 0, "other")))
        .hasMessageContaining("source.slot is 'other'").hasMessageContaining("set source.slot: ferry_primary");
  }

  @Test
  void refusesAPromotionWithoutCaptureOrNotFinished() throws Exception {
    record(true, false);
    assertThatThrownBy(() -> PromotedJournal.check(node(2, 0, "ferry_primary")))
        .hasMessageContaining("without --capture").hasMessageContaining("another journal.dir");
    record(false, true);
    assertThatThrownBy(() -> PromotedJournal.check(node(2, 0, "ferry_primary")))
        .hasMessageContaining("is not finished");
  }

  @Test
  void resumesAfterTheBranchPointWithoutTheOldPrimarysPositionThenAfterItsOwn() throws Exception {
    MemorySink journal = new MemorySink();
    journal.append(tx(BRANCH, 4_000)).get();
    var sink = PromotedJournal.continuing(journal, Optional.of(BRANCH));
    ResumePoint first = sink.resumePoint().orElseThrow();
    assertThat(first.isContinuing()).isTrue();
    assertThat(first.gtid()).isEqualTo(BRANCH);
    sink.append(tx(new Gtid(0, 2, 813), 100)).get();
    ResumePoint later = sink.resumePoint().orElseThrow();
    assertThat(later.isContinuing()).isFalse();
    assertThat(later.gtid()).isEqualTo(new Gtid(0, 2, 813));
  }

  private static Transaction tx(Gtid gtid, long lsn) {
    return new Transaction(gtid, Instant.parse("2026-12-06T03:12:09Z"), 0, SourcePosition.pgLsn(lsn), List.of());
  }

  private void record(boolean done, boolean capture) throws Exception {
    PromotionRecord started = new PromotionRecord("341ccba6-0000-0000-0000-000000000000", PromotionRecord.STARTED,
        Instant.parse("2026-12-06T03:12:09Z"), Optional.of(BRANCH), Map.of("pg", "0:812"), List.of(), Map.of(),
        capture ? Optional.of(new PromotionRecord.Capture("pg", "ferry_primary", "", "b")) : Optional.empty());
    (done ? started.finished() : started).write(dir);
  }

  private NodeSpec node(long serverId, long domain, String slot) {
    PostgresSourceConfig pg = PostgresSourceConfig.of("primary", "jdbc:postgresql://127.0.0.1:1/b")
        .withGtid(domain, serverId);
    pg = new PostgresSourceConfig(pg.name(), pg.jdbcUrl(), slot, pg.publicationName(), pg.include(), pg.exclude(),
        pg.gtidDomain(), pg.serverId(), pg.chunkChanges(), pg.chunkBytes(), pg.statusInterval(), pg.reconnectMin(),
        pg.reconnectMax(), pg.streaming(), pg.forwardOrigins());
    return new NodeSpec(new SourceSpec.Postgres(pg), JournalConfig.defaults(dir), List.of());
  }
}
