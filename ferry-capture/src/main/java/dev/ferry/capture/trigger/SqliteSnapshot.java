package dev.ferry.capture.trigger;

import dev.ferry.capture.CaptureException;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Value;
import dev.ferry.journal.snapshot.RowReader;
import dev.ferry.journal.snapshot.SnapshotInterruptedException;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consistent snapshot of a SQLite source for seeding a replica, and the change-table id it
 * stands at: every change with an id up to {@link #position()} is in the snapshot, every later one
 * is not.
 *
 * <p>A journal transaction of a SQLite source holds whatever one poll read, so it may hold source
 * transactions from both sides of an arbitrary snapshot. The snapshot is therefore taken where a
 * poll ends: with SQLite's write lock held ({@code BEGIN IMMEDIATE} on one connection, so nothing
 * commits meanwhile), a read transaction is started on a second connection (fixing its view at
 * change id {@code M}, the highest handed out), and the caller's {@link Journaled} waits until
 * capture has journaled change {@code M}: with nothing newer committed, that poll ends exactly at
 * {@code M}. Then the lock is released; the read transaction keeps its view (WAL mode, which
 * capture sets) for as long as the copy takes. Capture must be running, here or in another
 * process. The lock is also taken only when capture has journaled every schema change (its
 * bookkeeping matches {@code PRAGMA schema_version}).
 *
 * <p>Not thread-safe: one thread reads the rows; {@link #close()} ends the read transaction.
 */
public final class SqliteSnapshot implements RowReader, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteSnapshot.class);
  private static final long RETRY_MILLIS = 100;
  /** How long writers may be held while capture journals what was committed before the lock. */
  private static final Duration LOCKED_WAIT = Duration.ofSeconds(10);

  /**
   * Waits up to {@code wait} until the journal holds every change up to {@code at}: once before the
   * lock (so a capture that is not running is found out without blocking writers), once under it;
   * the second call's outcome is the hand-over.
   */
  @FunctionalInterface
  public interface Journaled {
    void await(SourcePosition at, Duration wait) throws java.io.IOException, InterruptedException;
  }

  private final String source;
  private final Connection reader;
  private final long changeId;
  private final List<SourceTable> tables;

  private SqliteSnapshot(String source, Connection reader, long changeId, List<SourceTable> tables) {
    this.source = source;
    this.reader = reader;
    this.changeId = changeId;
    this.tables = List.copyOf(tables);
  }

  /**
   * Takes the snapshot: waits (unlocked) until capture has journaled what is committed now, then
   * takes the lock and waits until it has journaled everything committed before the lock.
   *
   * @param wait how long to wait for capture: to be installed, to have journaled every schema
   *     change, and (unlocked) to have journaled what is committed now
   * @throws CaptureException naming the source if it cannot be read or capture is not installed in time
   * @throws java.io.IOException what {@code journaled} threw: capture did not journal in time
   */
  public static SqliteSnapshot create(SqliteSourceConfig config, Duration wait, Journaled journaled)
      throws java.io.IOException, InterruptedException {
    return create(config, wait, journaled, table -> true);
  }

  /**
   * Takes the snapshot as {@link #create(SqliteSourceConfig, Duration, Journaled)} does, describing
   * (and counting, under the write lock) only the captured tables {@code tables} accepts by name:
   * for a copy of a few tables ({@code ferry table add}).
   */
  public static SqliteSnapshot create(SqliteSourceConfig config, Duration wait, Journaled journaled,
      Predicate<String> tables) throws java.io.IOException, InterruptedException {
    Connection reader = null;
    try (Connection locker = open(config)) {
      reader = open(config);
      long deadline = System.nanoTime() + wait.toNanos();
      while (true) {
        if (Bookkeeping.installed(locker)) {
          journaled.await(SourcePosition.changeId(highestChangeId(locker)), wait);
          try (WriteTransaction lock = WriteTransaction.begin(locker)) {
            if (captureUpToDate(locker)) {
              return underLock(config, locker, reader, journaled, tables);
            }
          }
        }
        if (System.nanoTime() > deadline) {
          throw new CaptureException(config.name(), "cannot take a snapshot for initial sync: capture has not "
              + "installed its triggers (or journaled the last schema change) within " + wait.toSeconds()
              + " s: is capture running for this source?");
        }
        Thread.sleep(RETRY_MILLIS);
      }
    } catch (SQLException e) {
      closeQuietly(reader);
      throw new CaptureException(config.name(), "cannot take a snapshot for initial sync: " + e.getMessage(), e);
    } catch (java.io.IOException | InterruptedException | RuntimeException e) {
      closeQuietly(reader);
      throw e;
    }
  }

  /** With the write lock held: fixes the reader's view at the highest change id and hands over. */
  private static SqliteSnapshot underLock(SqliteSourceConfig config, Connection locker, Connection reader,
      Journaled journaled, Predicate<String> only) throws SQLException, java.io.IOException, InterruptedException {
    long id = highestChangeId(locker);
    reader.setAutoCommit(false);
    long seen = highestChangeId(reader); // the first read fixes the reader's view
    if (seen != id) {
      throw new IllegalStateException("change id " + seen + " read under the write lock, expected " + id);
    }
    List<SourceTable> tables = describe(reader, only);
    journaled.await(SourcePosition.changeId(id), LOCKED_WAIT);
    log.info("{} snapshot at change {}; {} tables", config.side(), id, tables.size());
    return new SqliteSnapshot(config.name(), reader, id, tables);
  }

  private static Connection open(SqliteSourceConfig config) throws SQLException {
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 30000");
    }
    return c;
  }

  /** Whether capture's triggers are installed and belong to the current schema. */
  private static boolean captureUpToDate(Connection c) throws SQLException {
    return Bookkeeping.installed(c)
        && Bookkeeping.state(c, Bookkeeping.SCHEMA_VERSION).orElse(-1L) == SqliteCatalog.schemaVersion(c);
  }

  /** The highest change id SQLite has handed out (committed, as {@code c}'s transaction sees it). */
  static long highestChangeId(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = '_ferry_changes'")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static List<SourceTable> describe(Connection c, Predicate<String> only) throws SQLException {
    List<SourceTable> tables = new ArrayList<>();
    for (String name : Bookkeeping.capturedTables(c).keySet()) {
      if (only.test(name)) {
        tables.add(SqliteCatalog.describeForCopy(c, name));
      }
    }
    return tables;
  }

  /** Where streaming continues: after the journal transaction holding this change id. */
  public SourcePosition position() {
    return SourcePosition.changeId(changeId);
  }

  /**
   * The captured tables, by name: declared types ({@code ""} for none), NOT NULL, primary key
   * (empty when keyed by the rowid only), and as {@code estimatedRows} the exact row count in the
   * snapshot.
   */
  public List<SourceTable> tables() {
    return tables;
  }

  /**
   * Reads every row of {@code table} as the snapshot sees it, each value with its SQLite storage
   * class (as the capture triggers record it); returns the row count.
   *
   * @throws SnapshotInterruptedException when the thread is interrupted (the node stopping)
   * @throws SQLException naming the table
   */
  @Override
  public long read(SourceTable table, RowSink sink) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(SqliteCatalog.quote(table.columns().get(i).name()));
    }
    sql.append(" FROM ").append(SqliteCatalog.quote(table.id().name()));
    long rows = 0;
    try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
      int n = table.columns().size();
      while (rs.next()) {
        if (Thread.currentThread().isInterrupted()) {
          throw new SnapshotInterruptedException(Side.source(source) + " reading " + table.id().name()
              + " interrupted");
        }
        List<Value> row = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          row.add(value(rs.getObject(i)));
        }
        sink.accept(row);
        rows++;
      }
    }
    return rows;
  }

  private static Value value(Object o) {
    return switch (o) {
      case null -> Value.NULL;
      case Integer i -> new Value.Int64(i);
      case Long l -> new Value.Int64(l);
      case Double d -> new Value.Float64(d);
      case String s -> new Value.Text(s);
      case byte[] b -> new Value.Bytes(b);
      default -> throw new IllegalStateException("SQLite returned a " + o.getClass().getName() + " value");
    };
  }

  @Override
  public void close() throws SQLException {
    reader.close();
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("closing a snapshot connection failed: {}", e.getMessage());
      }
    }
  }
}
