package dev.ferry.bench.replication;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Cases 1 to 4 and 7 of issue 8: Ferry against PostgreSQL's native logical replication, each
 * peer applying into its own replica database from its own slot, alternating turns. A turn
 * first lets the peer catch up on what the other peer's turn wrote (not timed), so every timed
 * part starts from an equal replica. Not thread-safe.
 */
final class Cases {
  private static final Duration WAIT = Duration.ofMinutes(10);

  private final Env env;
  private final Settings settings;
  private final Report report;
  private final Env.Log log;
  private final FerryPeer ferry;
  private final NativePeer nativePeer;
  private final List<Double> rssCatchUp = new ArrayList<>();
  private final List<Double> rssBig = new ArrayList<>();

  Cases(Env env, Settings settings, Report report, Env.Log log) {
    this.env = env;
    this.settings = settings;
    this.report = report;
    this.log = log;
    this.ferry = new FerryPeer(env);
    this.nativePeer = new NativePeer(env);
  }

  List<Peer> peers() {
    return List.of(ferry, nativePeer);
  }

  /** Starts {@code peer} and waits until it has applied everything committed so far; leaves it running. */
  private void catchUp(Peer peer, Peer.Options options) throws Exception {
    peer.prepare(options);
    peer.start();
    long id = env.mark();
    if (env.awaitMarker(peer.replicaDb(), id, WAIT, peer::alive) < 0) {
      throw new TurnFailed(peer.name() + " did not catch up: " + peer.failure());
    }
  }

  /** Stops {@code peer} once it has applied everything, and checks its replica against the primary. */
  private void finish(String caseName, Peer peer) throws Exception {
    long id = env.mark();
    if (env.awaitMarker(peer.replicaDb(), id, WAIT, peer::alive) < 0) {
      throw new TurnFailed(peer.name() + " did not apply the final marker: " + peer.failure());
    }
    peer.stop();
    report.checked(caseName, peer.name(), env.differences(peer.replicaDb()));
  }

  /** Case 1: catch-up apply of a backlog made while replication was stopped. */
  void catchUpApply() throws Exception {
    String name = "1 catch-up";
    List<Double> ferryTx = new ArrayList<>();
    List<Double> nativeTx = new ArrayList<>();
    List<Double> ferryFromJournal = new ArrayList<>();
    for (int pair = 1; pair <= settings.pairs(); pair++) {
      for (Peer p : peers()) {
        catchUp(p, Peer.Options.DEFAULT);
        p.stop();
      }
      log.line("case 1, pair %d: backlog of %d transactions...", pair, settings.backlog());
      env.pgbenchTransactions(settings.backlog());
      long id = env.mark();
      for (Peer p : peers()) {
        boolean profile = p == ferry && pair == settings.pairs() && settings.jfr() != null;
        p.prepare(new Peer.Options("512m", profile ? settings.jfr().resolve("case1-catch-up.jfr") : null));
        Thread.sleep(500); // let the JVM boot before the clock starts
        long t0 = System.nanoTime();
        p.start();
        long t1 = env.awaitMarker(p.replicaDb(), id, WAIT, p::alive);
        if (t1 < 0) {
          report.failed(name, p.name() + " did not catch up: " + p.failure());
          p.stop();
          (p == ferry ? ferryTx : nativeTx).add(Double.NaN);
          continue;
        }
        double seconds = (t1 - t0) / 1e9;
        (p == ferry ? ferryTx : nativeTx).add(settings.backlog() / seconds);
        if (p == ferry) {
          rssCatchUp.add(p.peakRssBytes() / 1048576.0);
        }
        log.line("case 1, pair %d: %s applied the backlog in %.2f s (%.0f tx/s)", pair, p.name(), seconds,
            settings.backlog() / seconds);
        finish(name, p);
      }
      ferryFromJournal.add(catchUpFromJournal(name, pair));
    }
    report.compare(name, "transactions/s, from the slot (Ferry stopped too)", "%.0f", ferryTx, nativeTx, 1.5, true);
    report.compare(name, "rows/s (2 per transaction), from the slot", "%.0f", times(ferryTx, 2), times(nativeTx, 2),
        0, true);
    report.compare(name, "transactions/s, from the journal (replica down, Ferry's capture running)", "%.0f",
        ferryFromJournal, nativeTx, 1.5, true);
  }

  /**
   * Case 1's second Ferry turn of a pair: the backlog is made while the replica is down but Ferry's
   * capture keeps journaling it (a separate capture-only process, as {@code ferry capture} runs on the
   * source side), then {@code ferry run} starts and applies it from the journal. Native has no such
   * state: its backlog always waits in the slot, so its figure is the pair's native turn.
   */
  private double catchUpFromJournal(String name, int pair) throws Exception {
    ferry.stop();
    log.line("case 1, pair %d: backlog of %d transactions, Ferry's capture running...", pair, settings.backlog());
    long id = ferry.captureWhile(settings.backlog() + 1, () -> {
      env.pgbenchTransactions(settings.backlog());
      return env.mark();
    });
    ferry.prepare(new Peer.Options("512m", null));
    Thread.sleep(500); // let the JVM boot before the clock starts
    long t0 = System.nanoTime();
    ferry.start();
    long t1 = env.awaitMarker(ferry.replicaDb(), id, WAIT, ferry::alive);
    if (t1 < 0) {
      report.failed(name, "Ferry did not catch up from the journal: " + ferry.failure());
      ferry.stop();
      return Double.NaN;
    }
    double seconds = (t1 - t0) / 1e9;
    log.line("case 1, pair %d: Ferry applied the journaled backlog in %.2f s (%.0f tx/s)", pair, seconds,
        settings.backlog() / seconds);
    finish(name, ferry);
    return settings.backlog() / seconds;
  }

  /** Case 2: primary TPS with nothing replicating, with Ferry streaming, with native streaming. */
  void primaryOverhead() throws Exception {
    String name = "2 primary overhead";
    List<Double> none = new ArrayList<>();
    List<Double> withFerry = new ArrayList<>();
    List<Double> withNative = new ArrayList<>();
    for (int round = 1; round <= settings.pairs(); round++) {
      none.add(env.pgbenchSeconds(settings.loadSeconds()));
      for (Peer p : peers()) {
        catchUp(p, Peer.Options.DEFAULT);
        double tps = env.pgbenchSeconds(settings.loadSeconds());
        (p == ferry ? withFerry : withNative).add(tps);
        finish(name, p);
      }
      log.line("case 2, round %d: tps none %.0f, Ferry %.0f, native %.0f", round, none.getLast(),
          withFerry.getLast(), withNative.getLast());
    }
    List<Double> ferryRatio = Stats.ratios(withFerry, none);
    List<Double> nativeRatio = Stats.ratios(withNative, none);
    report.row(name, "primary TPS: unreplicated " + Stats.cell(none, "%.0f"), Stats.cell(withFerry, "%.0f"),
        Stats.cell(withNative, "%.0f"), "–", "–", "–");
    boolean met = Stats.median(ferryRatio) >= 0.8 && Stats.median(ferryRatio) > Stats.median(nativeRatio);
    report.row(name, "TPS ÷ unreplicated TPS (same round)", Stats.cell(ferryRatio, "%.2f"),
        Stats.cell(nativeRatio, "%.2f"), Stats.cell(Stats.ratios(ferryRatio, nativeRatio), "%.2f") + "×",
        "Ferry ≥ 0.80 and > native", met ? "yes" : "**no**");
  }

  /**
   * Case 8: primary TPS with Ferry streaming as case 2 runs it, and with Ferry's HTTP server and
   * metrics on and scraped every second ({@code /metrics} and {@code /api/status}, what Prometheus
   * and an open dashboard ask), alternating within each round. Issue 18's target: ≥ 0.98×.
   */
  void metricsOverhead() throws Exception {
    String name = "8 metrics overhead";
    List<Double> off = new ArrayList<>();
    List<Double> on = new ArrayList<>();
    for (int round = 1; round <= settings.pairs(); round++) {
      for (boolean metrics : new boolean[] {false, true}) {
        catchUp(ferry, new Peer.Options("512m", null, metrics));
        (metrics ? on : off).add(env.pgbenchSeconds(settings.loadSeconds()));
        finish(name, ferry);
      }
      log.line("case 8, round %d: tps with Ferry, metrics off %.0f, on and scraped every second %.0f", round,
          off.getLast(), on.getLast());
    }
    List<Double> ratio = Stats.ratios(on, off);
    report.row(name, "primary TPS, Ferry with metrics on and scraped every second (first column) vs off"
        + " (second), ratio in the same round", Stats.cell(on, "%.0f"), Stats.cell(off, "%.0f"),
        Stats.cell(ratio, "%.2f") + "×", "≥ 0.98×", Stats.median(ratio) >= 0.98 ? "yes" : "**no**");
  }

  /** Case 3: a heartbeat row 5 times a second during a steady load; insert-to-visible lag. */
  void lag() throws Exception {
    String name = "3 lag";
    List<Double> p50f = new ArrayList<>(), p99f = new ArrayList<>(), maxf = new ArrayList<>();
    List<Double> p50n = new ArrayList<>(), p99n = new ArrayList<>(), maxn = new ArrayList<>();
    List<Double> w50f = new ArrayList<>(), w99f = new ArrayList<>(), w50n = new ArrayList<>(), w99n = new ArrayList<>();
    long[] heartbeat = {0};
    for (int pair = 1; pair <= settings.pairs(); pair++) {
      for (Peer p : peers()) {
        catchUp(p, Peer.Options.DEFAULT);
        List<Double> written = new ArrayList<>();
        List<Double> lags = heartbeats(p, settings.lagSeconds(), heartbeat, written);
        boolean f = p == ferry;
        (f ? p50f : p50n).add(Stats.percentile(lags, 50));
        (f ? p99f : p99n).add(Stats.percentile(lags, 99));
        (f ? maxf : maxn).add(Stats.max(lags));
        (f ? w50f : w50n).add(Stats.percentile(written, 50));
        (f ? w99f : w99n).add(Stats.percentile(written, 99));
        log.line("case 3, pair %d: %s lag p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d heartbeats", pair,
            p.name(), Stats.percentile(lags, 50), Stats.percentile(lags, 99), Stats.max(lags), lags.size());
        finish(name, p);
      }
    }
    report.compare(name, "heartbeat lag p50, ms", "%.1f", p50f, p50n, 0, false);
    report.compare(name, "heartbeat lag p99, ms", "%.1f", p99f, p99n, 1.0, false);
    report.compare(name, "heartbeat lag max, ms", "%.1f", maxf, maxn, 0, false);
    report.compare(name, "of which commit → row written on the replica (before its commit), p50, ms", "%.1f",
        w50f, w50n, 0, false);
    report.compare(name, "of which commit → row written on the replica (before its commit), p99, ms", "%.1f",
        w99f, w99n, 0, false);
  }

  /**
   * Heartbeats during a pgbench load; returns each one's commit-to-visible lag in ms and adds to
   * {@code written} its commit-to-written lag (when the replica's trigger saw the row, same clock).
   */
  private List<Double> heartbeats(Peer p, int seconds, long[] seq, List<Double> written) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection primary = DriverManager.getConnection(env.primaryUrl());
        Connection replica = DriverManager.getConnection(env.replica.jdbcUrl(p.replicaDb()));
        PreparedStatement insert = primary.prepareStatement("INSERT INTO bench_heartbeat VALUES (?, now())");
        PreparedStatement probe = replica.prepareStatement("SELECT 1 FROM bench_heartbeat WHERE id = ?");
        PreparedStatement writtenAt = replica.prepareStatement(
            "SELECT (extract(epoch FROM at) * 1000000)::bigint FROM bench_heartbeat_written WHERE id = ?")) {
      List<long[]> committedMicros = new ArrayList<>();
      Future<Double> load = pool.submit((Callable<Double>) () -> env.pgbenchSeconds(seconds));
      List<Double> lags = new ArrayList<>();
      Thread.sleep(500); // the load is running
      long next = System.nanoTime();
      while (!load.isDone()) {
        long id = ++seq[0];
        insert.setLong(1, id);
        insert.executeUpdate();
        long committed = System.nanoTime();
        java.time.Instant wall = java.time.Instant.now();
        committedMicros.add(new long[] {id, wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1000});
        probe.setLong(1, id);
        long deadline = committed + Duration.ofSeconds(30).toNanos();
        while (true) {
          try (ResultSet rs = probe.executeQuery()) {
            if (rs.next()) {
              lags.add((System.nanoTime() - committed) / 1e6);
              break;
            }
          }
          if (System.nanoTime() > deadline || !p.alive()) {
            throw new TurnFailed(p.name() + ": heartbeat " + id + " not visible after 30 s " + p.failure());
          }
          LockSupport.parkNanos(200_000);
        }
        next += 200_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      load.get();
      for (long[] c : committedMicros) {
        writtenAt.setLong(1, c[0]);
        try (ResultSet rs = writtenAt.executeQuery()) {
          if (rs.next()) {
            written.add((rs.getLong(1) - c[1]) / 1000.0);
          }
        }
      }
      return lags;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Case 4: one UPDATE of every account; time from its commit to applied. Ferry's heap is capped. */
  void bigTransaction() throws Exception {
    String name = "4 big transaction";
    List<Double> ferryS = new ArrayList<>();
    List<Double> nativeS = new ArrayList<>();
    boolean ferryBroken = false;
    long rows = settings.bigRows() > 0 ? settings.bigRows() : env.scale * 100_000L;
    for (int pair = 1; pair <= settings.pairs(); pair++) {
      for (Peer p : peers()) {
        if (p == ferry && ferryBroken) {
          ferryS.add(Double.NaN);
          continue;
        }
        boolean profile = p == ferry && pair == settings.pairs() && settings.jfr() != null;
        Peer.Options options = new Peer.Options(settings.bigHeap(),
            profile ? settings.jfr().resolve("case4-big-transaction.jfr") : null);
        try {
          catchUp(p, options);
          long t0;
          try (Connection c = DriverManager.getConnection(env.primaryUrl()); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= " + rows);
            t0 = System.nanoTime();
          }
          long id = env.mark();
          long t1 = env.awaitMarker(p.replicaDb(), id, WAIT, p::alive);
          if (t1 < 0) {
            throw new TurnFailed(p.name() + " did not apply the " + rows + "-row transaction: " + p.failure());
          }
          (p == ferry ? ferryS : nativeS).add((t1 - t0) / 1e9);
          if (p == ferry) {
            rssBig.add(p.peakRssBytes() / 1048576.0);
          }
          log.line("case 4, pair %d: %s applied %d rows in %.2f s", pair, p.name(), rows, (t1 - t0) / 1e9);
          finish(name, p);
        } catch (TurnFailed e) {
          log.line("case 4, pair %d: %s", pair, e.getMessage());
          report.failed(name, e.getMessage());
          p.stop();
          (p == ferry ? ferryS : nativeS).add(Double.NaN);
          ferryBroken |= p == ferry;
        }
        env.vacuum();
      }
    }
    report.compare(name, "commit → applied, s (" + rows + " rows; Ferry -Xmx" + settings.bigHeap() + ")", "%.2f",
        ferryS, nativeS, 0.5, false);
  }

  /** Case 7: peak RSS of the Ferry process in cases 1 and 4. */
  void memory() {
    report.row("7 memory", "Ferry peak RSS (VmHWM), MiB, case 1 (-Xmx512m)", Stats.cell(rssCatchUp, "%.0f"),
        "–", "–", "–", "–");
    report.row("7 memory", "Ferry peak RSS (VmHWM), MiB, case 4 (-Xmx" + settings.bigHeap() + ")",
        Stats.cell(rssBig, "%.0f"), "–", "–", "–", "–");
  }

  /** Stops both peers (a failed turn may leave one running). */
  void stopAll() {
    for (Peer p : peers()) {
      try {
        p.stop();
      } catch (Exception e) {
        log.line("could not stop %s: %s", p.name(), e);
      }
    }
  }

  private static List<Double> times(List<Double> xs, double k) {
    return xs.stream().map(x -> x * k).toList();
  }

  /** A turn that could not complete; the case records it and goes on where it can. */
  static final class TurnFailed extends Exception {
    TurnFailed(String message) {
      super(message);
    }
  }

  /**
   * @param pairs A/B pairs per case
   * @param backlog transactions in the catch-up backlog (cases 1 and 6)
   * @param loadSeconds pgbench duration per turn in case 2
   * @param lagSeconds pgbench duration per turn in case 3
   * @param bigHeap Ferry's -Xmx in case 4
   * @param bigRows rows the big transaction of case 4 updates; 0 for every account
   * @param jfr where to write JFR recordings of Ferry's last turn in cases 1 and 4, or null
   */
  record Settings(int pairs, long backlog, int loadSeconds, int lagSeconds, String bigHeap, long bigRows, Path jfr) {}
}
