package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new replica of a SQLite source is seeded by {@code bin/ferry run} itself (docs/initial-sync.md):
 * the rows already in the source reach a new PostgreSQL and a new SQLite replica, while a write
 * load runs, with no change lost or applied twice; {@code ferry replica reinit} seeds one again; a
 * SIGTERM during the copy exits 0 at a safe point, and after a {@code kill -9} during the copy the
 * next start copies again and converges.
 */
class SqliteSourceSeedTest {
  private static final List<String> TABLES = List.of("accounts", "events", "notes");

  @TempDir Path dir;

  @Test
  @Timeout(400)
  void newReplicasOfEitherKindAreSeededUnderLoadAndReinitSeedsOneAgain() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String source = "jdbc:sqlite:" + dir.resolve("source.db");
      String pg = cluster.createDatabase("app");
      String lite = "jdbc:sqlite:" + dir.resolve("replica.db");
      createSource(source, 20_000);
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("pg", pg).replica("lite", lite)
          .writeTo(dir.resolve("ferry.yaml"));

      Path log = dir.resolve("run.log");
      Process run;
      try (Load load = new Load(source, 1)) {
        run = cli.start(log, "run", "-c", config.toString());
        LogWait.awaitLine(log, "[replica pg] seeded:", run, Duration.ofSeconds(120));
        LogWait.awaitLine(log, "[replica lite] seeded:", run, Duration.ofSeconds(120));
        Thread.sleep(1500); // the load goes on while both stream
        assertThat(load.commits()).as("transactions written by the load").isPositive();
      }
      awaitConverged(source, List.of(pg, lite), run, log);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      // The PostgreSQL replica drifted (a local delete, in the one role that may still write on a
      // read-only replica): reinit makes the next run copy it again.
      Sql.execute(pg, "SET default_transaction_read_only = off", "SET session_replication_role = replica",
          "DELETE FROM accounts WHERE id <= 100");
      FerryCli.Result reinit = cli.run(Duration.ofSeconds(60), "replica", "reinit", "pg", "-c", config.toString());
      assertThat(reinit.exitCode()).as(reinit.all()).isZero();
      Path again = dir.resolve("run-again.log");
      try (Load load = new Load(source, 2)) {
        run = cli.start(again, "run", "-c", config.toString());
        LogWait.awaitLine(again, "[replica pg] seeded:", run, Duration.ofSeconds(120));
        Thread.sleep(1000);
      }
      assertThat(Files.readString(again)).as("the other replica streams on").doesNotContain("[replica lite] seeded:");
      awaitConverged(source, List.of(pg, lite), run, again);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  @Timeout(400)
  void sigtermAndKillNineDuringTheCopyThenRestartConverges() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String source = "jdbc:sqlite:" + dir.resolve("source.db");
      String pg = cluster.createDatabase("app");
      createSource(source, 300_000);
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("pg", pg)
          .writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run;
      try (Load load = new Load(source, 3)) {
        run = cli.start(log, "run", "-c", config.toString());
        LogWait.awaitLine(log, "[replica pg] copying", run, Duration.ofSeconds(120));
        Thread.sleep(500);
        assertThat(FerryCli.terminate(run, Duration.ofSeconds(30))).as("exit code; log: %s", Files.readString(log))
            .isZero();
        assertThat(Files.readString(log)).as("stopped during the copy").doesNotContain("[replica pg] seeded:")
            .contains("stopped cleanly");

        Path killed = dir.resolve("run-killed.log");
        run = cli.start(killed, "run", "-c", config.toString());
        LogWait.awaitLine(killed, "[replica pg] copying", run, Duration.ofSeconds(120));
        Thread.sleep(500);
        FerryCli.kill9(run);
        assertThat(Files.readString(killed)).as("killed during the copy").doesNotContain("[replica pg] seeded:");
        Path again = dir.resolve("run-again.log");
        run = cli.start(again, "run", "-c", config.toString());
        LogWait.awaitLine(again, "[replica pg] seeded:", run, Duration.ofSeconds(180));
        Thread.sleep(1000);
        log = again;
      }
      awaitConverged(source, List.of(pg), run, log);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** Three tables of integers, text, reals, blobs and NULLs; {@code rows} accounts. */
  private static void createSource(String url, int rows) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance REAL, photo BLOB,"
          + " note VARCHAR(40))");
      st.execute("CREATE TABLE events (k TEXT PRIMARY KEY, n INTEGER, x DOUBLE, b BLOB) WITHOUT ROWID");
      st.execute("CREATE TABLE notes (body TEXT, n BIGINT)");
      c.setAutoCommit(false);
      SplittableRandom random = new SplittableRandom(42);
      try (PreparedStatement a = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?, ?, ?)");
          PreparedStatement e = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?)");
          PreparedStatement n = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
        for (int i = 1; i <= rows; i++) {
          a.setInt(1, i);
          a.setString(2, "name " + i);
          a.setDouble(3, random.nextDouble() * 1000);
          a.setBytes(4, i % 3 == 0 ? null : bytes(random, 16));
          a.setString(5, i % 5 == 0 ? null : "note " + random.nextInt());
          a.addBatch();
          if (i <= 2000) {
            e.setString(1, "k" + i);
            e.setLong(2, random.nextLong());
            e.setObject(3, i % 7 == 0 ? null : random.nextDouble());
            e.setBytes(4, bytes(random, 8));
            e.addBatch();
            n.setString(1, i % 4 == 0 ? null : "body " + i);
            n.setLong(2, i);
            n.addBatch();
          }
        }
        a.executeBatch();
        e.executeBatch();
        n.executeBatch();
      }
      c.commit();
    }
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void awaitConverged(String source, List<String> replicas, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Map<String, TableDigest> expected = digests(source);
    while (true) {
      boolean all = true;
      for (String r : replicas) {
        all &= digests(r).equals(expected);
      }
      if (all) {
        return;
      }
      assertThat(run.isAlive()).as("ferry run is running; log: %s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("converged within 120 s; log: %s", Files.readString(log)).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static Map<String, TableDigest> digests(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, TABLES);
    }
  }

  /** Transactions of inserts, updates and deletes on every table, until closed. */
  private static final class Load implements AutoCloseable {
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stop;

    Load(String url, long seed) {
      thread = Thread.ofPlatform().name("load").start(() -> run(url, new SplittableRandom(seed)));
    }

    long commits() {
      return commits.get();
    }

    private void run(String url, SplittableRandom random) {
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 60000");
        long next = 10_000_000L * (1 + random.nextInt(100));
        while (!stop) {
          c.setAutoCommit(false);
          long id = ++next;
          st.execute("INSERT INTO accounts VALUES (" + id + ", 'load', " + random.nextDouble() + ", x'0102', NULL)");
          st.execute("UPDATE accounts SET balance = balance + 1, note = 'upd' WHERE id = " + (1 + random.nextInt(2000)));
          st.execute("DELETE FROM accounts WHERE id = " + (2001 + random.nextInt(10_000)));
          st.execute("INSERT OR IGNORE INTO events VALUES ('load" + id + "', " + random.nextInt() + ", NULL, x'ff')");
          st.execute("DELETE FROM events WHERE k = 'k" + (1 + random.nextInt(2000)) + "'");
          st.execute("INSERT INTO notes VALUES ('load', " + id + ")");
          c.commit();
          commits.incrementAndGet();
          Thread.sleep(2);
        }
      } catch (Exception e) {
        failure.set(e);
      }
    }

    @Override
    public void close() throws Exception {
      stop = true;
      thread.join();
      if (failure.get() != null) {
        throw failure.get();
      }
    }
  }
}
