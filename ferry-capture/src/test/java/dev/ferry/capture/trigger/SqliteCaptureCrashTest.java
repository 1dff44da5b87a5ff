package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kills the capture JVM with SIGKILL at random moments while four clients write, restarting it
 * each time: afterwards the journal holds every committed change exactly once, in commit order,
 * with contiguous GTIDs, and replaying it gives the source table.
 */
@Timeout(300)
class SqliteCaptureCrashTest {
  private static final long SEED = 20261121L;

  @Test
  void tenKillsUnderLoadLoseAndDuplicateNothing() throws Exception {
    Path journalDir = Files.createTempDirectory("ferry-crash-journal-");
    try (SqliteDatabase db = SqliteDatabase.create()) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, client INTEGER NOT NULL, n INTEGER NOT NULL, note TEXT)");
        SqliteSetup.setup(c, SqliteSourceConfig.of("crash", db.jdbcUrl()));
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Thread> writers = new ArrayList<>();
      for (int client = 1; client <= 4; client++) {
        int id = client;
        writers.add(Thread.ofPlatform().start(() -> write(db, id, writing)));
      }
      SplittableRandom random = new SplittableRandom(SEED);
      for (int kill = 0; kill < 10; kill++) {
        try (JavaProcess capture = start(db, journalDir)) {
          awaitStarted(capture);
          awaitJournaling(capture);
          Thread.sleep(random.nextInt(300));
          capture.kill9();
        }
      }
      writing.set(false);
      for (Thread t : writers) {
        t.join();
      }
      try (JavaProcess capture = start(db, journalDir)) {
        awaitDrained(db, capture);
        capture.kill9();
      }
      verify(db, journalDir);
    } finally {
      TempFiles.deleteTree(journalDir);
    }
  }

  private static JavaProcess start(SqliteDatabase db, Path journalDir) throws Exception {
    return JavaProcess.start(CaptureMain.class, List.of("-Xmx128m"), db.file().toString(), journalDir.toString());
  }

  /** Each transaction inserts or bumps a few of this client's rows, deletes one now and then, or rolls back. */
  private static void write(SqliteDatabase db, int client, AtomicBoolean writing) {
    SplittableRandom random = new SplittableRandom(SEED + client);
    long next = 0;
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      while (writing.get()) {
        st.execute("BEGIN IMMEDIATE");
        for (int i = 0, rows = 1 + random.nextInt(3); i < rows; i++) {
          long id = client * 1_000_000L + (next == 0 || random.nextInt(3) > 0 ? ++next : 1 + random.nextLong(next));
          st.execute("INSERT INTO t VALUES (" + id + ", " + client + ", 1, 'c" + client + "') ON CONFLICT(id) DO UPDATE"
              + " SET n = n + 1");
        }
        if (random.nextInt(10) == 0) {
          st.execute("DELETE FROM t WHERE id = " + (client * 1_000_000L + 1 + random.nextLong(next)));
        }
        st.execute(random.nextInt(8) == 0 ? "ROLLBACK" : "COMMIT");
        Thread.sleep(random.nextInt(3));
      }
    } catch (Exception e) {
      throw new IllegalStateException("writer " + client + " failed", e);
    }
  }

  private static void awaitStarted(JavaProcess capture) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!capture.output().contains("capturing after")) {
      assertThat(capture.isAlive()).as("capture runs; its log: %s", capture.output()).isTrue();
      assertThat(System.nanoTime()).as("capture starts within 30 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** Kills land while capture makes progress, not while a slow start still reads a backlog. */
  private static void awaitJournaling(JavaProcess capture) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!capture.output().contains("journaled ")) {
      assertThat(capture.isAlive()).as("capture runs; its log: %s", capture.output()).isTrue();
      assertThat(System.nanoTime()).as("capture journals within 60 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static void awaitDrained(SqliteDatabase db, JavaProcess capture) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      while (true) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM _ferry_changes")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        assertThat(System.nanoTime()).as("capture drains the change table; its log: %s", capture.output())
            .isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  private static void verify(SqliteDatabase db, Path journalDir) throws Exception {
    Map<Long, List<Value>> replica = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(journalDir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        txs.add(tx.get().toTransaction());
      }
    }
    assertThat(txs.size()).as("journal transactions (every run journals before it is killed)").isGreaterThan(10);
    for (int i = 0; i < txs.size(); i++) {
      assertThat(txs.get(i).gtid()).as("GTIDs are contiguous").isEqualTo(new Gtid(0, 1, i + 1));
      if (i > 0) {
        assertThat(txs.get(i).sourcePosition()).as("source positions increase").isGreaterThan(txs.get(i - 1).sourcePosition());
      }
      for (Change change : txs.get(i).changes()) {
        switch (change) {
          case Change.Insert in -> assertThat(replica.put(key(in.row()), in.row()))
              .as("insert of a row not there yet (no duplicate) at %s", txs.get(i).gtid()).isNull();
          case Change.Update up -> assertThat(replica.put(key(up.row()), up.row()))
              .as("update of a row that is there, in its old state, at %s", txs.get(i).gtid()).isEqualTo(up.old());
          case Change.Delete del -> assertThat(replica.remove(key(del.old())))
              .as("delete of a row that is there at %s", txs.get(i).gtid()).isEqualTo(del.old());
          default -> throw new AssertionError("unexpected " + change);
        }
      }
    }
    Map<Long, List<Value>> source = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT id, client, n, note FROM t");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        source.put(rs.getLong(1), List.of(new Value.Int64(rs.getLong(1)), new Value.Int64(rs.getLong(2)),
            new Value.Int64(rs.getLong(3)), new Value.Text(rs.getString(4))));
      }
    }
    assertThat(source.size()).as("source rows").isGreaterThan(100);
    assertThat(replica).isEqualTo(source);
  }

  private static long key(List<Value> row) {
    return ((Value.Int64) row.getFirst()).value();
  }
}
