package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The capture process is killed with SIGKILL three times under a 4-client load; the journal still
 * holds every committed transaction exactly once (replaying it gives the source's balances, GTIDs
 * consecutive, commit LSNs strictly increasing).
 */
@Timeout(240)
class PostgresCaptureCrashTest {
  @TempDir
  Path dir;

  @Test
  void killNineOfTheCaptureProcessLosesAndRepeatsNothing() throws Exception {
    Path journalDir = dir.resolve("journal");
    try (PostgresCluster cluster = PostgresCluster.start()) {
      PostgresSourceConfig config = PgTest.freshSource(cluster, "crash");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, 200);
      try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
        bank.createSchema(c);
        bank.load(c);
      }
      PostgresSetup.setup(config);
      try (WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(config.jdbcUrl()), 4, 7)) {
        for (int round = 0; round < 3; round++) {
          try (JavaProcess child = startCapture(config, journalDir)) {
            awaitOutput(child, "streaming");
            load.awaitCommitted(load.committed() + 100 + round * 37, Duration.ofSeconds(60));
            child.kill9();
          }
        }
        load.stop();
      }
      long walEnd = LogSequenceNumber.valueOf(PgTest.scalar(config, "SELECT pg_current_wal_lsn()")).asLong();
      try (JavaProcess child = startCapture(config, journalDir)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (confirmed(config) < walEnd && System.nanoTime() < deadline) {
          assertThat(child.isAlive()).as("capture process alive; log %s", child.log()).isTrue();
          Thread.sleep(50);
        }
        assertThat(confirmed(config)).isGreaterThanOrEqualTo(walEnd);
        child.terminate(Duration.ofSeconds(30));
      }
      try (Journal journal = Journal.open(JournalConfig.defaults(journalDir).withSegmentBytes(256 << 10))) {
        assertThat(PostgresJournalCaptureTest.replayAccountBalances(journal, bank.accounts()))
            .isEqualTo(PostgresJournalCaptureTest.sourceBalances(config));
      }
    }
  }

  private static JavaProcess startCapture(PostgresSourceConfig config, Path journalDir) throws Exception {
    return JavaProcess.start(PostgresCaptureMain.class, List.of("-Xmx128m"), config.name(), config.jdbcUrl(),
        journalDir.toString());
  }

  private static long confirmed(PostgresSourceConfig config) throws Exception {
    return LogSequenceNumber.valueOf(PgTest.scalar(config, "SELECT confirmed_flush_lsn FROM pg_replication_slots "
        + "WHERE slot_name = '" + config.slotName() + "'")).asLong();
  }

  private static void awaitOutput(JavaProcess child, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!child.output().contains(text)) {
      assertThat(child.isAlive()).as("capture process alive; output:\n%s", child.output()).isTrue();
      assertThat(System.nanoTime()).as("waiting for '%s' in %s", text, child.log()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
