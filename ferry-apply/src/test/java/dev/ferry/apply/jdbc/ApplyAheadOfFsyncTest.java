package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.txAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apply overlaps the journal's fsync (issue 19, lag): a reader of the open journal that reads ahead
 * of the fsync hands over a transaction the writer has written but not yet made durable, the
 * applier runs its rows, and the group's commit waits until the journal holds it durably — so the
 * target never holds a transaction a crash could take from the journal. A transaction with DDL
 * (which some targets commit on their own) is handed over only once durable. The fsync is held
 * back by blocking the journal's force listener, which runs after {@code force} and before the
 * durable mark is published.
 */
@Timeout(60)
class ApplyAheadOfFsyncTest {
  @TempDir Path dir;

  @Test
  void theCommitWaitsForTheFsyncWhileTheRowsRunAheadOfIt() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      }
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean hold = new AtomicBoolean(true);
      journal.onForce((nanos, records) -> awaitQuietly(hold, release));
      JournalPosition start = JournalPosition.startOf(1);
      CompletableFuture<JournalPosition> appended = journal.append(tx(1, insert(table("t"), cols("id:int8", "v:text"), 1, "a")));

      try (JournalReader plain = journal.readerAt(start)) {
        assertThat(plain.next(Duration.ofMillis(300))).as("a reader of durable data only sees nothing yet").isEmpty();
      }
      try (JournalReader reader = journal.readerAt(start).readAheadOfFsync();
          JdbcApplier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), db::connect,
              java.time.InstantSource.system(), Optional.empty())) {
        assertThat(applier.gateCommits(reader::awaitDurable)).isTrue();
        JournalTransaction t = reader.next(Duration.ofSeconds(10)).orElseThrow();
        assertThat(reader.durable(t.nextPosition())).as("handed over before its fsync").isFalse();
        assertThat(appended).isNotDone();
        applier.apply(t, t.nextPosition());
        CompletableFuture<Void> flushed = CompletableFuture.runAsync(() -> {
          try {
            applier.flush();
          } catch (ApplyException e) {
            throw new IllegalStateException(e);
          }
        });
        Thread.sleep(500);
        assertThat(flushed).as("the commit waits for the fsync").isNotDone();
        assertThat(rows(db)).as("nothing committed on the target before the journal holds it").isZero();
        hold.set(false);
        release.countDown();
        flushed.get(10, TimeUnit.SECONDS);
        assertThat(appended.get(10, TimeUnit.SECONDS)).isEqualTo(t.position());
        assertThat(rows(db)).isOne();
      }
    }
  }

  @Test
  void aTransactionWithDdlIsHandedOverOnlyOnceDurable() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean hold = new AtomicBoolean(true);
      journal.onForce((nanos, records) -> awaitQuietly(hold, release));
      journal.append(txAt(1, 1, new Change.Ddl("CREATE TABLE u (id int PRIMARY KEY)", "public", 1, Optional.empty())));
      try (JournalReader reader = journal.readerAt(JournalPosition.startOf(1)).readAheadOfFsync()) {
        CompletableFuture<Optional<JournalTransaction>> next = CompletableFuture.supplyAsync(() -> {
          try {
            return reader.next(Duration.ofSeconds(20));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        Thread.sleep(500);
        assertThat(next).as("DDL written but not durable is not handed over").isNotDone();
        hold.set(false);
        release.countDown();
        JournalTransaction t = next.get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(reader.durable(t.nextPosition())).isTrue();
      }
    }
  }

  /**
   * After a restart the journal's open segment holds what the last run wrote, durable, and nothing
   * new is written yet: a reader that reads ahead sees it at once (it once waited for the next
   * append, so a restarted replica sat idle until the source wrote again).
   */
  @Test
  void aJournalReopenedWithRecordsIsReadAheadWithoutANewAppend() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      journal.append(tx(1, insert(table("t"), cols("id:int8", "v:text"), 1, "a"))).get(10, TimeUnit.SECONDS);
    }
    try (Journal journal = Journal.open(JournalConfig.defaults(dir));
        JournalReader reader = journal.readerAt(JournalPosition.startOf(1)).readAheadOfFsync()) {
      assertThat(reader.next(Duration.ofSeconds(5))).as("the record the last run wrote").isPresent();
    }
  }

  private static void awaitQuietly(AtomicBoolean hold, CountDownLatch release) {
    if (!hold.get()) {
      return;
    }
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int rows(SqliteDatabase db) throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
