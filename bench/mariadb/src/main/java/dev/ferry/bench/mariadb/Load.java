package dev.ferry.bench.mariadb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The write load on the primary: {@code clients} connections, each transaction a transfer (two
 * account updates and a history insert), at full speed or at a total rate. Thread-safe.
 */
final class Load implements AutoCloseable {
  static final String SCHEMA = "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL,"
      + " note VARCHAR(100) NOT NULL)";
  static final String HISTORY = "CREATE TABLE history (id BIGINT PRIMARY KEY, from_id BIGINT NOT NULL,"
      + " to_id BIGINT NOT NULL, amount BIGINT NOT NULL, note VARCHAR(100) NOT NULL)";

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong committed = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();

  private Load() {
  }

  /**
   * Starts the clients; {@code total} transactions in all (0: until {@link #close}), at
   * {@code ratePerSecond} in all (0: full speed). History ids start at {@code firstId}.
   */
  static Load start(String url, int clients, int accounts, long total, int ratePerSecond, long firstId) {
    Load load = new Load();
    AtomicLong ids = new AtomicLong(firstId);
    for (int i = 0; i < clients; i++) {
      SplittableRandom random = new SplittableRandom(firstId + i);
      long perClient = total == 0 ? Long.MAX_VALUE : total / clients + (i < total % clients ? 1 : 0);
      long pauseNanos = ratePerSecond == 0 ? 0 : 1_000_000_000L * clients / ratePerSecond;
      Thread t = Thread.ofPlatform().name("load-" + i).daemon().start(() -> load.loop(url, random, accounts, ids,
          perClient, pauseNanos));
      load.threads.add(t);
    }
    return load;
  }

  private void loop(String url, SplittableRandom random, int accounts, AtomicLong ids, long count, long pauseNanos) {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ?, note = ? WHERE id = ?");
        PreparedStatement insert = c.prepareStatement("INSERT INTO history VALUES (?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      long next = System.nanoTime();
      for (long n = 0; n < count && running.get(); n++) {
        long from = 1 + random.nextInt(accounts);
        long to = 1 + random.nextInt(accounts);
        long amount = 1 + random.nextInt(1000);
        String note = "transfer " + ids.get() + " of " + amount;
        try {
          transfer(update, insert, from, to, amount, note, ids.getAndIncrement());
          c.commit();
          committed.incrementAndGet();
        } catch (SQLException e) {
          if (!"40001".equals(e.getSQLState())) {
            throw e;
          }
          c.rollback(); // a deadlock between two transfers: the next one goes on
        }
        if (pauseNanos > 0) {
          next += pauseNanos;
          long sleep = next - System.nanoTime();
          if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void transfer(PreparedStatement update, PreparedStatement insert, long from, long to, long amount,
      String note, long id) throws SQLException {
    update.setLong(1, -amount);
    update.setString(2, note);
    update.setLong(3, from);
    update.executeUpdate();
    update.setLong(1, amount);
    update.setLong(3, to);
    update.executeUpdate();
    insert.setLong(1, id);
    insert.setLong(2, from);
    insert.setLong(3, to);
    insert.setLong(4, amount);
    insert.setString(5, note);
    insert.executeUpdate();
  }

  long committed() {
    return committed.get();
  }

  /** Waits for every client to finish its transactions. */
  void await() throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
    check();
  }

  private void check() {
    if (failure.get() != null) {
      throw new IllegalStateException("the load failed: " + failure.get(), failure.get());
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    await();
  }
}
