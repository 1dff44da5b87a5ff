package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReplicaSkip} on a replica that has applied the first of four journal transactions: only
 * the next one can be skipped, never while a process holds the journal, and a skip joins the
 * applied set and leaves a {@code skipped} row naming who and why. One subclass per target (the
 * SQLite and PostgreSQL replicas read-only, as by default).
 */
@Timeout(60)
abstract class ReplicaSkipContract {
  @TempDir Path dir;
  private ReplicaSpec replica;
  private Path journal;
  private String journalId;

  @BeforeEach
  void replicaAtTheFirstTransaction() throws Exception {
    journal = dir.resolve("journal");
    try (Journal j = Journal.open(JournalConfig.defaults(journal))) {
      for (int i = 1; i <= 4; i++) {
        j.append(Transactions.accounts(i)).get();
      }
    }
    journalId = JournalInspector.journalId(journal).toString();
    JournalTransaction first;
    try (JournalReader reader = JournalReader.openAtOldest(journal)) {
      first = reader.next(Duration.ZERO).orElseThrow();
    }
    replica = new ReplicaSpec(ApplyConfig.defaults("r1", journalId), targetUrl(), new Properties());
    try (Connection c = replica.connect()) {
      Dialect.of(c).prepareSession(c, readOnly(), "r1");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + ControlTables.of(c).progress() + " (source,"
          + " applied_gtids, journal_position, schema_sequence) VALUES (?, '0:1', ?, 1)")) {
        ps.setString(1, journalId);
        ps.setString(2, first.nextPosition().toString());
        ps.executeUpdate();
      }
    }
  }

  /** A fresh target database. */
  abstract String targetUrl() throws Exception;

  /** Whether the replica is made read-only (its guards and default installed) as apply would. */
  abstract boolean readOnly();

  private static ConflictStore.Resolution byAlice(String note) {
    return new ConflictStore.Resolution(Instant.parse("2026-12-06T12:00:00Z"), "alice", Optional.of(note));
  }

  @Test
  void skipsOnlyTheNextTransactionAndRecordsIt() throws Exception {
    assertThatThrownBy(() -> ReplicaSkip.skip(replica, journal, Transactions.gtid(3), byAlice("x")))
        .isInstanceOf(ReplicaSkip.RefusedException.class)
        .hasMessage("0-1-3 is not the next transaction replica r1 would apply: that is 0-1-2 (at "
            + positionOf(2) + "); only that one can be skipped");
    assertThatThrownBy(() -> ReplicaSkip.skip(replica, journal, Transactions.gtid(1), byAlice("x")))
        .isInstanceOf(ReplicaSkip.RefusedException.class).hasMessage("replica r1 has applied 0-1-1 already");

    ReplicaSkip.Skipped skipped = ReplicaSkip.skip(replica, journal, Transactions.gtid(2), byAlice("bad row"));
    assertThat(skipped.tables()).isEqualTo(Transactions.ACCOUNTS.toString());
    assertThat(skipped.changes()).isOne();
    assertThat(applied()).isEqualTo(GtidSet.parse("0:2"));
    try (Connection c = replica.connect()) {
      ConflictStore.Conflict row = ConflictStore.list(c, new ConflictStore.Filter("r1", Optional.empty(),
          Optional.of(ConflictStore.SKIPPED), Optional.empty(), Optional.of(true), 10)).getFirst();
      assertThat(row.gtid()).isEqualTo("0-1-2");
      assertThat(row.resolvedBy()).contains("alice");
      assertThat(row.resolutionNote()).contains("bad row");
      assertThat(row.table()).isEqualTo(Transactions.ACCOUNTS.toString());
    }
    ReplicaSkip.skip(replica, journal, Transactions.gtid(3), byAlice("next one too"));
    assertThat(applied()).isEqualTo(GtidSet.parse("0:3"));
  }

  @Test
  void refusesWhileAProcessHoldsTheJournalAndWhenNothingIsLeft() throws Exception {
    try (java.io.Closeable running = Journal.hold(journal).orElseThrow()) {
      assertThatThrownBy(() -> ReplicaSkip.skip(replica, journal, Transactions.gtid(2), byAlice("x")))
          .isInstanceOf(ReplicaSkip.RefusedException.class).hasMessageContaining("is held by a running process")
          .hasMessageContaining("journal.lock");
    }
    assertThat(applied()).as("nothing written").isEqualTo(GtidSet.parse("0:1"));
    for (int i = 2; i <= 4; i++) {
      ReplicaSkip.skip(replica, journal, Transactions.gtid(i), byAlice("x"));
    }
    assertThatThrownBy(() -> ReplicaSkip.skip(replica, journal, new Gtid(0, 1, 5), byAlice("x")))
        .isInstanceOf(ReplicaSkip.RefusedException.class)
        .hasMessageContaining("replica r1 has applied every transaction journal");
  }

  private String positionOf(long seq) throws Exception {
    try (JournalReader reader = JournalReader.openAtOldest(journal)) {
      while (true) {
        JournalTransaction tx = reader.next(Duration.ZERO).orElseThrow();
        if (tx.gtid().seq() == seq) {
          return tx.position().toString();
        }
      }
    }
  }

  private GtidSet applied() throws Exception {
    try (Connection c = replica.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT applied_gtids FROM " + ControlTables.of(c).progress())) {
      rs.next();
      return GtidSet.parse(rs.getString(1));
    }
  }
}
