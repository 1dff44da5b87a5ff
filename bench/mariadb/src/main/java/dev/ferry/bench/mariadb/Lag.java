package dev.ferry.bench.mariadb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Replication lag: a probe row inserted on the primary every {@code everyMs}, each replica polled
 * every 2 ms for the highest probe it holds; a probe's lag is from its commit returning on the
 * primary to its first sight on the replica. The probes ride in the same binlog as the load.
 */
final class Lag implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<Long, Long> committedAt = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, List<Long>> lags = new ConcurrentHashMap<>();

  static Lag start(String primaryUrl, Map<String, String> replicaUrls, long firstId, int everyMs) {
    Lag lag = new Lag();
    lag.threads.add(Thread.ofPlatform().name("lag-probe").daemon().start(() -> lag.probe(primaryUrl, firstId,
        everyMs)));
    replicaUrls.forEach((name, url) -> {
      List<Long> seen = java.util.Collections.synchronizedList(new ArrayList<>());
      lag.lags.put(name, seen);
      lag.threads.add(Thread.ofPlatform().name("lag-" + name).daemon().start(() -> lag.watch(url, firstId, seen)));
    });
    return lag;
  }

  private void probe(String url, long firstId, int everyMs) {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("INSERT INTO probe VALUES (?)")) {
      for (long id = firstId; running.get(); id++) {
        ps.setLong(1, id);
        ps.executeUpdate();
        committedAt.put(id, System.nanoTime());
        Thread.sleep(everyMs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("probe failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void watch(String url, long firstId, List<Long> seen) {
    long last = firstId - 1;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      while (running.get()) {
        long max;
        try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM probe")) {
          rs.next();
          max = rs.getLong(1);
        }
        long now = System.nanoTime();
        for (long id = last + 1; id <= max; id++) {
          Long at = committedAt.get(id);
          seen.add(at == null ? 0 : Math.max(0, now - at));
        }
        last = Math.max(last, max);
        Thread.sleep(2);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("lag watch of " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The lags seen on replica {@code name}, in nanoseconds, sorted. */
  long[] lags(String name) {
    synchronized (lags.get(name)) {
      return lags.get(name).stream().mapToLong(Long::longValue).sorted().toArray();
    }
  }

  static double percentileMs(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }
}
