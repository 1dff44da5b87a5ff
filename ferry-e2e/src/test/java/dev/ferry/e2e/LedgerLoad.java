package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Client threads writing small transactions to the {@code items} table of a PostgreSQL database (an
 * insert that takes the next {@code id} from its sequence, an update or a delete of a random row, or an
 * insert and an update), each also inserting {@code (client, n)} into {@code ledger}, n counting that
 * client's transactions from 1: a commit that returned is recorded as acknowledged before the client
 * writes its next one, so client k's acknowledged commits are exactly {@code n = 1..acknowledged(k)}.
 */
final class LedgerLoad implements AutoCloseable {
  /** The table every load transaction also inserts into; it is never updated or deleted. */
  static final String LEDGER = "CREATE TABLE ledger (client int NOT NULL, n int NOT NULL, PRIMARY KEY (client, n))";

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLongArray acknowledged;
  private final List<Thread> threads = new ArrayList<>();
  private final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();

  /** Starts {@code clients} threads, each pausing {@code pause} between its transactions. */
  LedgerLoad(String url, int clients, long seed, Duration pause) {
    acknowledged = new AtomicLongArray(clients);
    for (int k = 0; k < clients; k++) {
      int client = k;
      SplittableRandom random = new SplittableRandom(seed + k);
      threads.add(Thread.ofPlatform().name("ledger-load-" + k).start(() -> {
        try {
          write(url, client, random, pause);
        } catch (Throwable e) {
          errors.put(client, e);
        }
      }));
    }
  }

  private void write(String url, int client, SplittableRandom random, Duration pause) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ledger = c.prepareStatement("INSERT INTO ledger (client, n) VALUES (?, ?)");
        PreparedStatement insert = c.prepareStatement("INSERT INTO items (v) VALUES (?) RETURNING id");
        PreparedStatement update = c.prepareStatement("UPDATE items SET v = ? WHERE id = ?");
        PreparedStatement delete = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
      c.setAutoCommit(false);
      long highest = 1;
      for (int n = 1; running.get(); n++) {
        String tag = "load-" + client + "-" + n;
        int kind = random.nextInt(4);
        if (kind == 0 || kind == 3) {
          insert.setString(1, tag);
          try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            highest = Math.max(highest, rs.getLong(1));
          }
        }
        if (kind == 1 || kind == 3) { // one existing row at most per transaction: no deadlock between clients
          update.setString(1, tag + "-updated");
          update.setLong(2, 1 + random.nextLong(highest));
          update.executeUpdate();
        } else if (kind == 2) {
          delete.setLong(1, 1 + random.nextLong(highest));
          delete.executeUpdate();
        }
        ledger.setInt(1, client);
        ledger.setInt(2, n);
        ledger.executeUpdate();
        c.commit();
        acknowledged.set(client, n);
        Thread.sleep(pause);
      }
    }
  }

  int clients() {
    return acknowledged.length();
  }

  /** How many transactions client {@code k} committed and saw acknowledged: its ledger's n = 1..that. */
  long acknowledged(int k) {
    return acknowledged.get(k);
  }

  long acknowledged() {
    long sum = 0;
    for (int k = 0; k < acknowledged.length(); k++) {
      sum += acknowledged.get(k);
    }
    return sum;
  }

  /** Waits up to 180 s until {@code n} more commits than {@code since} were acknowledged. */
  long awaitMore(long since, long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (acknowledged() < since + n) {
      assertThat(errors).as("load clients failed").isEmpty();
      assertThat(System.nanoTime()).as("%d more acknowledged commits than %d", n, since).isLessThan(deadline);
      Thread.sleep(50);
    }
    return acknowledged();
  }

  /** Stops the clients after their current transaction; none may have failed. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      assertThat(t.join(Duration.ofSeconds(60))).as("%s stopped", t.getName()).isTrue();
    }
    assertThat(errors).as("load clients failed").isEmpty();
  }
}
