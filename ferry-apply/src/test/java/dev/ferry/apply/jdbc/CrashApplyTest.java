package dev.ferry.apply.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under kill -9: a child JVM applies a journal of non-idempotent transactions and is
 * killed 20 times at seeded random moments, each while it is mid-stream, and restarted; at the end
 * the target must equal a reference target that applied the same transactions without a crash.
 */
@Timeout(300)
class CrashApplyTest {
  private static final int TRANSACTIONS = 12_000;
  private static final int KILLS = 20;
  private static final int MAX_KILL_DELAY_MS = 1000;
  /**
   * Transactions per second a run that will be killed may read: 20 runs of at most 1 s read at most
   * 8,000 of the 12,000, so every kill lands mid-stream however fast the machine is.
   */
  private static final int MAX_RATE = 400;
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @TempDir
  Path dir;

  @Test
  void postgresTargetSurvivesKillNineWithoutDuplicateOrGap() throws Exception {
    String target = postgres.cluster().createDatabase("crash_target");
    String reference = postgres.cluster().createDatabase("crash_reference");
    for (String url : List.of(target, reference)) {
      exec(url, CounterWorkload.POSTGRES_SCHEMA);
    }
    crashAndCompare(target, reference, 4711);
  }

  @Test
  void sqliteTargetSurvivesKillNineWithoutDuplicateOrGap() throws Exception {
    try (SqliteDatabase target = SqliteDatabase.create(); SqliteDatabase reference = SqliteDatabase.create()) {
      for (SqliteDatabase db : List.of(target, reference)) {
        exec(db.jdbcUrl(), CounterWorkload.SQLITE_SCHEMA);
      }
      crashAndCompare(target.jdbcUrl(), reference.jdbcUrl(), 815);
    }
  }

  private void crashAndCompare(String target, String reference, long seed) throws Exception {
    List<Transaction> stream = CounterWorkload.generate(seed, TRANSACTIONS);
    Path journal = writeJournal(stream);
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("reference", "journal-1"),
        () -> DriverManager.getConnection(reference))) {
      applier.applyAll(stream.iterator());
    }
    Random random = new Random(seed);
    List<String> starts = new ArrayList<>();
    for (int kill = 0; kill < KILLS; kill++) {
      // Every other run rereads the journal from its start: applied transactions are skipped by GTID.
      String from = kill % 2 == 1 ? "oldest" : "recorded";
      try (JavaProcess child = JavaProcess.start(CrashApplyMain.class, List.of("-Xmx128m"), target,
          journal.toString(), from, Integer.toString(MAX_RATE))) {
        awaitStart(child);
        Thread.sleep(random.nextInt(MAX_KILL_DELAY_MS));
        assertThat(child.isAlive() && !child.output().contains("DONE"))
            .as("kill %d must land while the applier is mid-stream: %s", kill + 1, child.output()).isTrue();
        child.kill9();
        child.output().lines().filter(l -> l.startsWith("START")).forEach(starts::add);
      }
    }
    try (JavaProcess child = JavaProcess.start(CrashApplyMain.class, List.of("-Xmx128m"), target,
        journal.toString(), "oldest")) {
      assertThat(child.awaitExit(Duration.ofSeconds(120))).as(child.output()).isZero();
      child.output().lines().filter(l -> l.startsWith("START")).forEach(starts::add);
      assertThat(child.output()).contains("DONE 0:" + TRANSACTIONS);
    }
    System.out.println("restarts began at: " + starts);
    assertThat(starts).as("one start per kill plus the final run").hasSize(KILLS + 1);
    assertThat(starts.getLast()).as("the last kill still left work for the final run")
        .doesNotContain("0:" + TRANSACTIONS + " ");
    assertThat(starts.stream().skip(1).filter(s -> !s.startsWith("START  ")).distinct().count())
        .as("restarts that resumed at different places in the middle of the stream").isGreaterThanOrEqualTo(KILLS / 4);
    try (Connection t = DriverManager.getConnection(target); Connection r = DriverManager.getConnection(reference)) {
      for (String table : List.of("accounts", "events")) {
        TableDigest expected = TableDigest.of(r, table);
        assertThat(expected.rows()).isPositive();
        assertThat(TableDigest.of(t, table)).isEqualTo(expected);
      }
    }
  }

  /** Waits until the child has connected and read its position, so the kill lands while it applies. */
  private static void awaitStart(JavaProcess child) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (child.isAlive() && !child.output().contains("START") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private Path writeJournal(List<Transaction> stream) throws Exception {
    Path journal = Files.createDirectories(dir.resolve("journal"));
    try (Journal j = Journal.open(JournalConfig.defaults(journal).withSegmentBytes(256 * 1024))) {
      CompletableFuture<?> last = null;
      for (Transaction t : stream) {
        last = j.append(t);
      }
      last.get();
    }
    return journal;
  }

  private static void exec(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String s : sql.split(";")) {
        st.execute(s);
      }
    }
  }
}
