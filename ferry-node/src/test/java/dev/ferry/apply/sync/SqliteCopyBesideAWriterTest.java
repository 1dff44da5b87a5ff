package dev.ferry.apply.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.RowReader;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A copy into a SQLite replica while another connection writes it, as {@code ferry table add}
 * copies while {@code ferry run} applies: the copy's setup reads the target's catalog and then
 * creates and empties tables, and SQLite refuses such a transaction's first write at once (no busy
 * wait) while the writer holds the lock or has written since the read. The copy takes the write
 * lock first and waits its turn instead. Real PostgreSQL source, real SQLite file.
 */
@Timeout(180)
class SqliteCopyBesideAWriterTest {
  private static final ApplyConfig REPLICA = ApplyConfig.defaults("lite", "journal");
  private static final int TABLES = 12;
  private static final int ROWS = 50;
  private static final int COPIES = 5;
  /**
   * Copies go on past {@link #COPIES} until the writer has committed this often between them (a
   * fast copy on a busy machine can otherwise finish while the writer committed once), up to
   * {@link #MAX_COPIES}.
   */
  private static final int WRITER_COMMITS = 3;
  private static final int MAX_COPIES = 200;

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @Test
  void initialCopyIntoSqliteWaitsForAWriterThatHoldsTheLockInsteadOfFailingBusy() throws Exception {
    String source = postgres.cluster().createDatabase("busy_src");
    try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
      for (TableId t : tables()) {
        st.execute("CREATE TABLE " + t.name() + " (id bigint PRIMARY KEY, label text)");
        st.execute("INSERT INTO " + t.name() + " SELECT g, 'r' || g FROM generate_series(1, " + ROWS + ") g");
      }
    }
    try (SqliteDatabase target = SqliteDatabase.create(); Writer writer = new Writer(target)) {
      for (int i = 0; i < COPIES || (writer.commits() < WRITER_COMMITS && i < MAX_COPIES); i++) {
        CopyResult copied = Snapshots.copy(source, tables(), REPLICA, target::connect,
            new CopyOptions(1, 10_000, Optional.empty()));
        assertThat(copied.rows()).as("copy %d", i).isEqualTo((long) TABLES * ROWS);
        writer.awaitNextCommit();
      }
      assertThat(writer.commits()).as("the writer's commits meanwhile").isGreaterThanOrEqualTo(WRITER_COMMITS);
      assertThat(counts(target)).containsOnly((long) ROWS);
    }
  }

  @Test
  void rowCopyIntoSqliteWaitsForAWriterThatHoldsTheLockInsteadOfFailingBusy() throws Exception {
    List<SourceTable> tables = tables().stream().map(id -> new SourceTable(id, List.of(
        new SourceTable.SourceColumn("id", "INTEGER", true, LogicalType.INT64),
        new SourceTable.SourceColumn("label", "TEXT", false, LogicalType.TEXT)), List.of("id"), ROWS, 1)).toList();
    RowReader rows = (table, sink) -> {
      for (long id = 1; id <= ROWS; id++) {
        sink.accept(List.of(new Value.Int64(id), new Value.Text("r" + id)));
      }
      return ROWS;
    };
    try (SqliteDatabase target = SqliteDatabase.create(); Writer writer = new Writer(target)) {
      for (int i = 0; i < COPIES || (writer.commits() < WRITER_COMMITS && i < MAX_COPIES); i++) {
        CopyResult copied = RowCopy.copy(tables, rows, REPLICA, target::connect,
            new CopyOptions(1, 10_000, Optional.empty()));
        assertThat(copied.rows()).as("copy %d", i).isEqualTo((long) TABLES * ROWS);
        writer.awaitNextCommit();
      }
      assertThat(writer.commits()).as("the writer's commits meanwhile").isGreaterThanOrEqualTo(WRITER_COMMITS);
      assertThat(counts(target)).containsOnly((long) ROWS);
    }
  }

  private static List<TableId> tables() {
    return IntStream.rangeClosed(1, TABLES).mapToObj(i -> new TableId("public", "parcels_" + i)).toList();
  }

  private static List<Long> counts(SqliteDatabase target) throws SQLException {
    List<Long> counts = new ArrayList<>();
    try (Connection c = target.connect(); Statement st = c.createStatement()) {
      for (TableId t : tables()) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + t.name() + "\"")) {
          rs.next();
          counts.add(rs.getLong(1));
        }
      }
    }
    return counts;
  }

  /**
   * Writes the target as a streaming applier does: a write transaction held for a while, a short
   * pause, the next. Most of the time it holds the write lock.
   */
  private static final class Writer implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    /** Starts writing; returns once the writer has committed, so a copy meets it. */
    Writer(SqliteDatabase target) throws SQLException, InterruptedException {
      try (Connection c = target.connect(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE applied (n INTEGER PRIMARY KEY)");
      }
      thread = Thread.ofPlatform().name("sqlite-writer").start(() -> write(target));
      while (commits.get() == 0 && failure.get() == null) {
        Thread.sleep(5);
      }
    }

    private void write(SqliteDatabase target) {
      try (Connection c = target.connect(); Statement st = c.createStatement()) {
        while (!stop.get()) {
          st.execute("BEGIN IMMEDIATE");
          st.execute("INSERT INTO applied VALUES (" + commits.get() + ")");
          Thread.sleep(40);
          st.execute("COMMIT");
          commits.incrementAndGet();
          Thread.sleep(15);
        }
      } catch (Exception e) {
        failure.set(e);
      }
    }

    long commits() {
      return commits.get();
    }

    /**
     * Waits until the writer commits again. SQLite's busy handler is not fair: back-to-back copies
     * can take the lock every time the writer's wait sleeps, so the writer made only two commits in
     * 200 copies on a loaded CI machine. Letting it commit between copies makes every copy meet a
     * writer that has just written (and usually holds the lock again), which is what is tested.
     */
    void awaitNextCommit() throws InterruptedException {
      long seen = commits.get();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (commits.get() == seen && failure.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
    }

    @Override
    public void close() throws Exception {
      stop.set(true);
      thread.join();
      if (failure.get() != null) {
        throw failure.get();
      }
    }
  }
}
