package dev.ferry.capture.trigger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes change rows the journal holds durably, on its own thread and connection. A delete needs
 * SQLite's one write lock, which the application's writers hold most of the time under load; done
 * by the capture thread it stalled capture for seconds. Polls read only rows after the last
 * journaled id, so rows waiting here do no harm, and rows left by a crash are deleted after the
 * next start. Thread-safe.
 */
final class ChangePruner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangePruner.class);
  private static final long EVERY_MILLIS = 1_000;

  private final SqliteSourceConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private long journaledThrough;
  private boolean closed;

  private ChangePruner(SqliteSourceConfig config) {
    this.config = config;
    this.thread = Thread.ofPlatform().daemon().name("ferry-prune-" + config.name()).unstarted(this::run);
  }

  static ChangePruner start(SqliteSourceConfig config) {
    ChangePruner pruner = new ChangePruner(config);
    pruner.thread.start();
    return pruner;
  }

  /** Change rows up to {@code id} are durable in the journal and may go. */
  void journaledThrough(long id) {
    lock.lock();
    try {
      if (id > journaledThrough) {
        journaledThrough = id;
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long deleted = 0;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 60000");
      }
      while (true) {
        long through = awaitWork(deleted);
        if (through < 0) {
          return;
        }
        delete(c, through);
        deleted = through;
      }
    } catch (SQLException e) {
      log.warn("{} deleting journaled change rows failed ({}); they are deleted after the next start",
          config.side(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits a while, then returns the id to delete through, or -1 once closed. */
  private long awaitWork(long deleted) throws InterruptedException {
    lock.lock();
    try {
      changed.await(EVERY_MILLIS, TimeUnit.MILLISECONDS);
      while (!closed && journaledThrough <= deleted) {
        changed.await(EVERY_MILLIS, TimeUnit.MILLISECONDS);
      }
      return closed ? -1 : journaledThrough;
    } finally {
      lock.unlock();
    }
  }

  private static void delete(Connection c, long through) throws SQLException {
    try (WriteTransaction tx = WriteTransaction.begin(c);
        PreparedStatement ps = c.prepareStatement("DELETE FROM _ferry_changes WHERE id <= ?")) {
      ps.setLong(1, through);
      ps.executeUpdate();
      tx.commit();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(65));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
