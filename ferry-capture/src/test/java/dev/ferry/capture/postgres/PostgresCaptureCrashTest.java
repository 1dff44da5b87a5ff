package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The capture process is killed with SIGKILL ten times, at seeded random moments after it
 * reports streaming, under a 4-client load, and restarted each time. The journal then holds every
 * committed transaction exactly once and in commit order: GTIDs consecutive, commit LSNs strictly
 * increasing, one journal transaction per committed workload transaction, and the journal
 * replayed into a fresh database gives the source's table digests.
 */
@Timeout(240)
class PostgresCaptureCrashTest {
  private static final int KILLS = 10;
  private static final long SEED = 20240310;

  @TempDir
  Path dir;

  @Test
  void tenKillNinesOfTheCaptureProcessLoseAndRepeatNothing() throws Exception {
    Path journalDir = dir.resolve("journal");
    try (PostgresCluster cluster = PostgresCluster.start()) {
      PostgresSourceConfig config = PgTest.freshSource(cluster, "crash");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, 200);
      try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
        bank.createSchema(c);
        bank.load(c);
      }
      PostgresSetup.setup(config);
      SplittableRandom random = new SplittableRandom(SEED);
      WorkloadRunner.Stats stats;
      try (WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(config.jdbcUrl()), 4, 7)) {
        for (int round = 0; round < KILLS; round++) {
          try (JavaProcess child = startCapture(config, journalDir)) {
            awaitOutput(child, "streaming");
            long before = load.committed();
            Thread.sleep(random.nextInt(50, 1500));
            assertThat(load.committed()).as("load runs in round %d", round).isGreaterThan(before);
            child.kill9();
          }
        }
        stats = load.stop();
      }
      awaitCaughtUp(config, journalDir);
      String replica = cluster.createDatabase("crash_replay");
      try (Journal journal = Journal.open(JournalConfig.defaults(journalDir).withSegmentBytes(256 << 10));
          JournalReader reader = journal.readerAtOldest();
          Connection source = DriverManager.getConnection(config.jdbcUrl());
          Connection target = DriverManager.getConnection(replica)) {
        bank.createSchema(target);
        bank.load(target);
        assertThat(JournalReplay.replay(reader, target)).isEqualTo(stats.committed());
        assertThat(TableDigest.ofAll(target, BankWorkload.TABLES)).isEqualTo(TableDigest.ofAll(source,
            BankWorkload.TABLES));
      }
    }
  }

  /** A last capture run until the slot has confirmed the source's WAL end, then a clean stop. */
  private static void awaitCaughtUp(PostgresSourceConfig config, Path journalDir) throws Exception {
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
  }

  static JavaProcess startCapture(PostgresSourceConfig config, Path journalDir, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of(config.name(), config.jdbcUrl(), journalDir.toString()));
    args.addAll(List.of(more));
    return JavaProcess.start(PostgresCaptureMain.class, List.of("-Xmx128m"), args.toArray(String[]::new));
  }

  private static long confirmed(PostgresSourceConfig config) throws Exception {
    return LogSequenceNumber.valueOf(PgTest.scalar(config, "SELECT confirmed_flush_lsn FROM pg_replication_slots "
        + "WHERE slot_name = '" + config.slotName() + "'")).asLong();
  }

  static void awaitOutput(JavaProcess child, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!child.output().contains(text)) {
      assertThat(child.isAlive()).as("capture process alive; output:\n%s", child.output()).isTrue();
      assertThat(System.nanoTime()).as("waiting for '%s' in %s", text, child.log()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
