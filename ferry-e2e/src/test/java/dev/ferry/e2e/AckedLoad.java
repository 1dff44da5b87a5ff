package dev.ferry.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write load of small JDBC transactions on a PostgreSQL source, each client thread on its own
 * connection (application name {@value #APP}), recording what a client was told is committed: the id
 * of every {@code items} row whose COMMIT returned (ids from the table's sequence), and the key of
 * every {@code ledger} row (a transfer: one {@code accounts} row updated, one ledger row inserted,
 * no sequence). The load can be made independent for a while: the sequence writers pause (a
 * sequence change is a barrier of parallel apply) and the transfer writers only insert ledger rows,
 * each under a key of its own, so that the transactions that follow one another then share no row.
 * An error ends its thread and is kept: before the test stops the load on purpose there must be none.
 */
final class AckedLoad implements AutoCloseable {
  static final String APP = "ferry-acked-load";
  static final int ACCOUNTS = 20;

  final Set<Long> ackedItems = ConcurrentHashMap.newKeySet();
  final Set<String> ackedLedger = ConcurrentHashMap.newKeySet();
  final List<String> errors = new CopyOnWriteArrayList<>();
  private final AtomicLong ledgerCommits = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;
  private volatile boolean independent;
  private final AtomicLong dependentInFlight = new AtomicLong();

  private AckedLoad() {}

  /** The tables the load writes, created on {@code url}. */
  static void createTables(String url) throws SQLException {
    Sql.execute(url, "CREATE TABLE items (id bigserial PRIMARY KEY, v text NOT NULL)",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + ACCOUNTS + ") g",
        "CREATE TABLE ledger (id uuid PRIMARY KEY, account int NOT NULL, delta int NOT NULL)",
        "CREATE TABLE marks (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO marks VALUES (1, 0)");
  }

  /** Starts {@code sequenceWriters} threads inserting items and {@code transferWriters} threads writing transfers. */
  static AckedLoad start(String url, int sequenceWriters, int transferWriters) {
    AckedLoad load = new AckedLoad();
    String app = url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + APP;
    for (int i = 0; i < sequenceWriters; i++) {
      int writer = i;
      load.threads.add(Thread.ofPlatform().name("load-items-" + i).start(() -> load.items(app, writer)));
    }
    for (int i = 0; i < transferWriters; i++) {
      long seed = 17L * (i + 1);
      load.threads.add(Thread.ofPlatform().name("load-transfers-" + i).start(() -> load.transfers(app, seed)));
    }
    return load;
  }

  /** Transfers committed so far (COMMIT returned). */
  long ledgerCommits() {
    return ledgerCommits.get();
  }

  /**
   * Until {@link #dependentAgain()}, only transactions that share no row with any other: sequence writers
   * pause, transfer writers insert ledger rows only. Returns once no other transaction is in flight.
   */
  void independentOnly() throws InterruptedException {
    independent = true;
    while (dependentInFlight.get() > 0) {
      Thread.sleep(20);
    }
  }

  void dependentAgain() {
    independent = false;
  }

  /** Threads still writing. */
  boolean running() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  private void items(String url, int writer) {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement insert = c.prepareStatement("INSERT INTO items (v) VALUES (?) RETURNING id")) {
      c.setAutoCommit(false);
      for (long n = 0; !stopping; n++) {
        if (independent) {
          Thread.sleep(20);
          continue;
        }
        dependentInFlight.incrementAndGet();
        try {
          insert.setString(1, "w" + writer + "-" + n);
          long id;
          try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
          }
          c.commit();
          ackedItems.add(id);
        } finally {
          dependentInFlight.decrementAndGet();
        }
        Thread.sleep(15);
      }
    } catch (SQLException | InterruptedException | RuntimeException e) {
      if (!stopping) {
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }
  }

  private void transfers(String url, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
        PreparedStatement ledger = c.prepareStatement("INSERT INTO ledger (id, account, delta) VALUES (?, ?, ?)")) {
      c.setAutoCommit(false);
      while (!stopping) {
        int account = 1 + random.nextInt(ACCOUNTS);
        int delta = random.nextInt(-500, 501);
        UUID key = UUID.randomUUID();
        boolean transfer = !independent;
        if (transfer) {
          dependentInFlight.incrementAndGet();
        }
        try {
          if (transfer) {
            update.setInt(1, delta);
            update.setInt(2, account);
            update.executeUpdate();
          }
          ledger.setObject(1, key);
          ledger.setInt(2, account);
          ledger.setInt(3, transfer ? delta : 0);
          ledger.executeUpdate();
          c.commit();
        } finally {
          if (transfer) {
            dependentInFlight.decrementAndGet();
          }
        }
        ackedLedger.add(key.toString());
        ledgerCommits.incrementAndGet();
      }
    } catch (SQLException | RuntimeException e) {
      if (!stopping) {
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }
  }

  /**
   * Stops the load: marks it stopping and ends the connections of its clients on {@code url} with
   * {@code pg_terminate_backend} (a COMMIT waiting for a synchronous standby that is gone then fails
   * on the client: it was never acknowledged), then waits for every thread.
   */
  void stop(String url) throws Exception {
    stopping = true;
    for (int i = 0; i < 100 && running(); i++) {
      Sql.execute(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + APP + "'");
      for (Thread t : threads) {
        t.join(200);
      }
    }
    if (running()) {
      throw new IllegalStateException("load threads still run after their connections were terminated");
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.interrupt();
    }
  }
}
