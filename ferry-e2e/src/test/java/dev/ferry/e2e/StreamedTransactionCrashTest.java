package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source.streaming: on} through the real {@code bin/ferry run}, against a PostgreSQL whose
 * {@code logical_decoding_work_mem} is its minimum (64 kB): a big transaction's chunks reach the
 * journal while it is in progress and stay invisible on the replica until the source commits; the
 * process is killed with SIGKILL while chunks are staged, and right after the source's COMMIT (before
 * and after the journal's). After each restart the replica equals the source and the journal holds
 * every committed transaction once, GTIDs contiguous in commit order. Two streamed transactions
 * that commit in the opposite order of their starts apply in commit order.
 */
@Timeout(300)
class StreamedTransactionCrashTest {
  private static final int ROWS = 200_000;

  @TempDir Path dir;

  @Test
  void killNineWhileChunksAreStagedThenAtTheSourceCommitLosesAndRepeatsNothing() throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(Map.of("logical_decoding_work_mem", "64kB"));
        PostgresCluster pgReplica = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String replica = pgReplica.createDatabase("app");
      Sql.execute(source, "CREATE TABLE items (id bigint PRIMARY KEY, note text)", "INSERT INTO items VALUES (-1, 'first')");
      Path journal = dir.resolve("journal");
      Path config = FerryYaml.source(source, journal).streaming().replica("pg", replica).writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, 0, Duration.ofMinutes(2));
      await(() -> count(replica) == 1, "the first row on the replica", Duration.ofMinutes(2));

      // 1. kill -9 while a big transaction's chunks are staged in the journal.
      try (Connection c = DriverManager.getConnection(source)) {
        c.setAutoCommit(false);
        // Measured before the INSERT: the walsender streams chunks while the INSERT still runs, so on a
        // fast machine they can all be in the journal by the time it returns.
        long before = journalBytes(journal);
        insert(c, 1, ROWS);
        await(() -> journalBytes(journal) > before + (1 << 20), () -> "chunks in the journal before the COMMIT"
            + " (the journal grew by " + (journalBytes(journal) - before) + " bytes)", Duration.ofMinutes(2));
        assertThat(count(replica)).as("nothing of the open transaction on the replica").isEqualTo(1);
        FerryCli.kill9(run);
        long offset = Files.size(log);
        run = cli.start(log, "run", "-c", config.toString());
        LogWait.awaitLine(log, "node started", run, offset, Duration.ofMinutes(2));
        insert(c, ROWS + 1, ROWS + 1000);
        Sql.execute(source, "INSERT INTO items VALUES (-2, 'committed while the big one is open')");
        await(() -> count(replica) == 2, "the small transaction on the replica", Duration.ofMinutes(2));
        c.commit();
      }
      await(() -> count(replica) == ROWS + 1002, "the big transaction on the replica", Duration.ofMinutes(3));

      // 2. kill -9 right after the source's COMMIT (the journal's COMMIT most likely not written yet).
      Process killed = run;
      bigTransactionThen(source, 1_000_001, () -> FerryCli.kill9(killed));
      long offset = Files.size(log);
      run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, offset, Duration.ofMinutes(2));
      await(() -> count(replica) == 2 * ROWS + 1002, "the second big transaction", Duration.ofMinutes(3));

      // 3. kill -9 once the replica applies it: the journal's COMMIT is durable, the slot may not know.
      Process applying = run;
      bigTransactionThen(source, 2_000_001, () -> {
        await(() -> count(replica) > 2 * ROWS + 1002, "the third big transaction applied", Duration.ofMinutes(3));
        FerryCli.kill9(applying);
      });
      offset = Files.size(log);
      run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, offset, Duration.ofMinutes(2));
      Sql.execute(source, "INSERT INTO items VALUES (-3, 'last')");
      await(() -> count(replica) == 3 * ROWS + 1003, "everything on the replica", Duration.ofMinutes(3));

      // 4. Two streamed transactions committing in the opposite order of their starts: the one
      // started first updates a row the other inserted, so applying them in start order would fail.
      try (Connection first = DriverManager.getConnection(source);
          Connection second = DriverManager.getConnection(source)) {
        first.setAutoCommit(false);
        second.setAutoCommit(false);
        insert(first, 3_000_001, 3_000_000 + ROWS / 4);
        insert(second, 4_000_001, 4_000_000 + ROWS / 4);
        second.commit();
        try (Statement st = first.createStatement()) {
          st.execute("UPDATE items SET note = 'updated by the first' WHERE id = 4000001");
        }
        first.commit();
      }
      await(() -> count(replica) == 3 * ROWS + 1003 + ROWS / 2, "both interleaved transactions",
          Duration.ofMinutes(3));
      assertThat(Sql.scalar(replica, "SELECT note FROM items WHERE id = 4000001")).isEqualTo("updated by the first");

      assertThat(digest(source)).isEqualTo(digest(replica));
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      JournalDump dump = JournalDump.of(cli, journal, dir);
      assertThat(dump.gapsOrRepeats()).as("GTIDs and commit LSNs of the journal").isEmpty();
      assertThat(Files.readString(log)).doesNotContain("replica pg] stopped:");
    }
  }

  /** Commits a big streamed transaction of ids {@code from..}, then runs {@code then}. */
  private static void bigTransactionThen(String source, long from, ThrowingRunnable then) throws Exception {
    try (Connection c = DriverManager.getConnection(source)) {
      c.setAutoCommit(false);
      insert(c, from, from + ROWS - 1);
      c.commit();
    }
    then.run();
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void insert(Connection c, long from, long to) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO items SELECT g, 'row ' || g FROM generate_series(" + from + ", " + to + ") g");
    }
  }

  private static long count(String url) throws Exception {
    try {
      return Long.parseLong(Sql.scalar(url, "SELECT count(*) FROM items"));
    } catch (java.sql.SQLException e) {
      return -1; // not created by the initial sync yet
    }
  }

  private static TableDigest digest(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.of(c, "items");
    }
  }

  private static long journalBytes(Path journal) throws Exception {
    try (Stream<Path> files = Files.list(journal)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d+(-\\d+\\.seg|\\.open)"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private interface What {
    String text() throws Exception;
  }

  private static void await(Check check, String what, Duration timeout) throws Exception {
    await(check, () -> what, timeout);
  }

  private static void await(Check check, What what, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what.text());
      }
      Thread.sleep(200);
    }
  }
}
