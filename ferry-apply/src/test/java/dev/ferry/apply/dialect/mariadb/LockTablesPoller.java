package dev.ferry.apply.dialect.mariadb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A session of its own reading {@code information_schema.INNODB_TRX} every 20 ms until closed, as a
 * monitoring tool does: it keeps InnoDB's copy of the lock tables (refreshed only once nobody read it
 * for 100 ms) frozen, so a lock wait that began since is not in it. Closing rethrows a read's failure.
 */
public final class LockTablesPoller implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final CompletableFuture<Void> reading;

  public LockTablesPoller(String url) {
    reading = CompletableFuture.runAsync(() -> {
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        while (!stop.get()) {
          st.executeQuery("SELECT count(*) FROM information_schema.INNODB_TRX").close();
          Thread.sleep(20);
        }
      } catch (SQLException | InterruptedException e) {
        throw new CompletionException(e);
      }
    }, thread);
  }

  @Override
  public void close() throws Exception {
    stop.set(true);
    try {
      reading.get(30, TimeUnit.SECONDS);
    } finally {
      thread.shutdownNow();
    }
  }
}
