package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.JournalSink;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.replication.LogSequenceNumber;

/**
 * End to end into the real journal: a 4-client bank workload captured across a restart of the
 * capture; the journal then holds each committed transaction once, in commit order, and replaying
 * its account rows gives the source's balances.
 */
@Timeout(180)
class PostgresJournalCaptureTest {
  @TempDir
  Path dir;

  @Test
  void bankWorkloadLandsInTheJournalExactlyOnceAcrossARestart() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start();
        Journal journal = Journal.open(JournalConfig.defaults(dir.resolve("journal")))) {
      PostgresSourceConfig config = PgTest.freshSource(cluster, "bank");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, 200);
      try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
        bank.createSchema(c);
        bank.load(c);
      }
      PostgresSetup.setup(config);

      try (WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(config.jdbcUrl()), 4, 42)) {
        for (int round = 0; round < 2; round++) {
          try (PostgresCapture capture = PostgresCapture.start(config, new JournalSink(journal))) {
            assertThat(capture.awaitStreaming(Duration.ofSeconds(30))).isTrue();
            long target = load.committed() + 150;
            load.awaitCommitted(target, Duration.ofSeconds(60));
            assertThat(capture.failure()).isEmpty();
          }
        }
        load.stop();
      }
      try (PostgresCapture capture = PostgresCapture.start(config, new JournalSink(journal))) {
        long walEnd = LogSequenceNumber.valueOf(PgTest.scalar(config, "SELECT pg_current_wal_lsn()")).asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (LogSequenceNumber.valueOf(capture.confirmedLsn()).asLong() < walEnd && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(capture.failure()).isEmpty();
      }

      Map<String, String> balances = replayAccountBalances(journal, bank.accounts());
      assertThat(balances).isEqualTo(sourceBalances(config));
    }
  }

  static Map<String, String> replayAccountBalances(Journal journal, int accounts) throws Exception {
    Map<String, String> balances = new HashMap<>();
    for (int id = 1; id <= accounts; id++) {
      balances.put(String.valueOf(id), String.valueOf(BankWorkload.INITIAL_BALANCE));
    }
    List<SourcePosition> positions = new ArrayList<>();
    AtomicLong expectedSeq = new AtomicLong(1);
    try (JournalReader reader = journal.readerAtOldest()) {
      for (Optional<JournalTransaction> tx = reader.next(Duration.ZERO); tx.isPresent(); tx = reader.next(Duration.ZERO)) {
        assertThat(tx.get().gtid().seq()).isEqualTo(expectedSeq.getAndIncrement());
        positions.add(tx.get().sourcePosition());
        try (var cursor = tx.get().changes()) {
          while (cursor.advance()) {
            apply(cursor.current(), balances);
          }
        }
      }
    }
    assertThat(positions).hasSizeGreaterThan(300).isSorted().doesNotHaveDuplicates();
    return balances;
  }

  private static void apply(Change change, Map<String, String> balances) {
    if (change instanceof Change.Insert i && i.table().name().equals("accounts")) {
      balances.put(text(i.row().get(0)), text(i.row().get(2)));
    } else if (change instanceof Change.Update u && u.table().name().equals("accounts")) {
      if (u.oldImage() != Change.OldImage.NONE) {
        balances.remove(text(u.old().get(0)));
      }
      balances.put(text(u.row().get(0)), text(u.row().get(2)));
    } else if (change instanceof Change.Delete d && d.table().name().equals("accounts")) {
      balances.remove(text(d.old().get(0)));
    }
  }

  private static String text(Value v) {
    return ((Value.Text) v).value();
  }

  static Map<String, String> sourceBalances(PostgresSourceConfig config) throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, balance FROM accounts")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }
}
