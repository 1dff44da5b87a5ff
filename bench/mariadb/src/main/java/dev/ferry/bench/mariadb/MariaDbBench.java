package dev.ferry.bench.mariadb;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.TableDigest;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ferry against MariaDB's native GTID replication, side by side in one run on three throwaway
 * MariaDB servers of the test kit: a primary, a native replica ({@code MASTER_USE_GTID=slave_pos},
 * {@code slave_parallel_mode=optimistic}) and Ferry's MariaDB target. Three measures:
 * <ol>
 *   <li>catch-up: both stopped, a backlog written, each started alone until the backlog's mark
 *       arrives (the order alternates by round);
 *   <li>lag under a fixed-rate load with both running: a probe row every 50 ms, its arrival on each;
 *   <li>primary TPS overhead: full-speed load with no replica, the native replica, or Ferry
 *       (paired turns), each replica caught up before its turn starts.
 * </ol>
 * Prints a Markdown section (and writes it to {@code --out}). Ferry runs in this JVM.
 */
public final class MariaDbBench {
  record Settings(int accounts, int backlog, int rounds, int clients, int workers, int ferryWorkers, int lagRate,
      Duration lagFor, Duration tpsFor, Duration warmup, Path out) {
    static Settings parse(String[] args) {
      boolean quick = List.of(args).contains("--quick");
      Settings s = new Settings(10_000, quick ? 2_000 : 10_000, quick ? 1 : 2, 4, 4, 0, 200,
          Duration.ofSeconds(quick ? 10 : 30), Duration.ofSeconds(quick ? 5 : 15), Duration.ofSeconds(quick ? 5 : 20),
          Path.of("mariadb-bench.md"));
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--quick" -> { }
          case "--backlog" -> s = s.with(Integer.parseInt(args[++i]), s.rounds);
          case "--rounds" -> s = s.with(s.backlog, Integer.parseInt(args[++i]));
          case "--out" -> s = new Settings(s.accounts, s.backlog, s.rounds, s.clients, s.workers, s.ferryWorkers,
              s.lagRate, s.lagFor, s.tpsFor, s.warmup, Path.of(args[++i]));
          case "--ferry-workers" -> s = new Settings(s.accounts, s.backlog, s.rounds, s.clients, s.workers,
              Integer.parseInt(args[++i]), s.lagRate, s.lagFor, s.tpsFor, s.warmup, s.out);
          case "--warmup" -> s = new Settings(s.accounts, s.backlog, s.rounds, s.clients, s.workers, s.ferryWorkers,
              s.lagRate, s.lagFor, s.tpsFor, Duration.ofSeconds(Integer.parseInt(args[++i])), s.out);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]
              + "; usage: bench/mariadb/run [--quick] [--backlog N] [--rounds N] [--ferry-workers N] [--warmup SECONDS]"
              + " [--out FILE]");
        }
      }
      return s;
    }

    Settings with(int newBacklog, int newRounds) {
      return new Settings(accounts, newBacklog, newRounds, clients, workers, ferryWorkers, lagRate, lagFor, tpsFor, warmup,
          out);
    }
  }

  private final Settings s;
  private final String primary;
  private final String nativeUrl;
  private final String ferryUrl;
  private final NativeReplica nativeReplica;
  private final FerryReplica ferry;
  private long nextId = 1_000_000;
  private long nextMark = 1;

  private MariaDbBench(Settings s, String primary, String nativeUrl, String ferryUrl, NativeReplica nativeReplica,
      FerryReplica ferry) {
    this.s = s;
    this.primary = primary;
    this.nativeUrl = nativeUrl;
    this.ferryUrl = ferryUrl;
    this.nativeReplica = nativeReplica;
    this.ferry = ferry;
  }

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    double loadBefore = loadAverage();
    Path journal = Files.createTempDirectory("ferry-mariadb-bench-");
    try (MariaDbServer p = MariaDbServer.start();
        MariaDbServer n = MariaDbServer.start(Map.of("slave_parallel_mode", "optimistic",
            "slave_parallel_threads", String.valueOf(s.workers())));
        MariaDbServer f = MariaDbServer.start()) {
      String primary = prepare(p, s);
      String nativeUrl = prepare(n, s);
      String ferryUrl = prepare(f, s);
      String pos = Sql.text(primary, "SELECT @@gtid_binlog_pos");
      NativeReplica nativeReplica = NativeReplica.configure(n.jdbcUrl(), p.jdbcUrl(), p.port(), pos, s.workers());
      try (FerryReplica ferry = new FerryReplica(primary, ferryUrl, journal, s.ferryWorkers())) {
        MariaDbBench bench = new MariaDbBench(s, primary, nativeUrl, ferryUrl, nativeReplica, ferry);
        String section = bench.run(loadBefore);
        System.out.println(section);
        Files.writeString(s.out(), section);
      }
    } finally {
      dev.ferry.testkit.TempFiles.deleteTree(journal);
    }
    System.exit(0);
  }

  /** The same schema and rows on every server, written with the binlog off (none of it is replicated). */
  private static String prepare(MariaDbServer server, Settings s) throws Exception {
    String url = server.jdbcUrl("bench");
    try (Connection c = server.connect(); var st = c.createStatement()) {
      st.execute("SET SESSION sql_log_bin = 0");
      st.execute("CREATE DATABASE bench");
      st.execute("USE bench");
      st.execute(Load.SCHEMA);
      st.execute(Load.HISTORY);
      st.execute("CREATE TABLE probe (id BIGINT PRIMARY KEY)");
      st.execute("CREATE TABLE mark (id BIGINT PRIMARY KEY)");
      st.execute("INSERT INTO accounts SELECT seq, 1000000, 'opened' FROM seq_1_to_" + s.accounts());
    }
    return url;
  }

  private String run(double loadBefore) throws Exception {
    ferry.start(); // seeds the target (same rows), then streams
    nativeReplica.start();
    awaitBoth(Duration.ofMinutes(5));
    warmUp();
    List<double[]> catchUp = new ArrayList<>();
    for (int round = 0; round < s.rounds(); round++) {
      catchUp.add(catchUp(round % 2 == 0));
    }
    Map<String, long[]> lag = lag();
    Map<String, List<Double>> tps = tps();
    String digests = digests() + "; Ferry's apply retried " + ferry.retries() + " time(s) after a transient error"
        + " (a deadlock)";
    printLatestDeadlock();
    return Report.section(s, catchUp, lag, tps, digests, loadBefore, loadAverage());
  }

  /**
   * The load at full speed for {@code --warmup} with both replicas streaming, then both caught up:
   * what is measured next runs on compiled code (Ferry's JVM, started cold in this process) and
   * warm server caches, on both sides alike.
   */
  private void warmUp() throws Exception {
    if (s.warmup().isZero()) {
      return;
    }
    try (Load load = Load.start(primary, s.clients(), s.accounts(), 0, 0, take(10_000_000))) {
      Thread.sleep(s.warmup().toMillis());
      System.err.printf(Locale.ROOT, "warm-up: %d transactions in %d s with both replicas streaming%n",
          load.committed(), s.warmup().toSeconds());
    }
    awaitBoth(Duration.ofMinutes(10));
  }

  /** Backlog tx/s of {native, ferry}: both stopped, the backlog written, then each alone. */
  private double[] catchUp(boolean nativeFirst) throws Exception {
    nativeReplica.stop();
    ferry.stop();
    try (Load load = Load.start(primary, s.clients(), s.accounts(), s.backlog(), 0, take(s.backlog()))) {
      load.await();
    }
    long mark = mark();
    double nativeRate = 0;
    double ferryRate = 0;
    for (int turn = 0; turn < 2; turn++) {
      boolean isNative = (turn == 0) == nativeFirst;
      long start = System.nanoTime();
      if (isNative) {
        nativeReplica.start();
        nativeRate = s.backlog() / ((Sql.awaitMark(nativeUrl, mark, Duration.ofMinutes(20)) - start) / 1e9);
      } else {
        ferry.start();
        double startSeconds = (System.nanoTime() - start) / 1e9;
        long[] captured = {0};
        Thread watch = Thread.ofPlatform().daemon().start(() -> captured[0] = awaitCaptured(s.backlog() + 1));
        double seconds = (Sql.awaitMark(ferryUrl, mark, Duration.ofMinutes(20)) - start) / 1e9;
        watch.join();
        ferryRate = s.backlog() / seconds;
        System.err.printf(Locale.ROOT, "Ferry's catch-up: %.2f s: FerryNode.start (until capture streams) %.2f s,"
            + " the backlog journaled at %.2f s%n", seconds, startSeconds, (captured[0] - start) / 1e9);
      }
    }
    System.err.printf(Locale.ROOT, "catch-up of %d transactions: native %.0f tx/s, Ferry %.0f tx/s%n", s.backlog(),
        nativeRate, ferryRate);
    return new double[] {nativeRate, ferryRate};
  }

  /** Lags in ns of {native, ferry} under a fixed-rate load with both running. */
  private Map<String, long[]> lag() throws Exception {
    Map<String, String> urls = new LinkedHashMap<>();
    urls.put("native", nativeUrl);
    urls.put("ferry", ferryUrl);
    Lag lag;
    try (Load load = Load.start(primary, s.clients(), s.accounts(), 0, s.lagRate(), take(10_000_000))) {
      Thread.sleep(2_000); // warm up
      lag = Lag.start(primary, urls, take(1_000_000), 50);
      Thread.sleep(s.lagFor().toMillis());
      lag.close();
    }
    awaitBoth(Duration.ofMinutes(5));
    Map<String, long[]> out = new LinkedHashMap<>();
    urls.keySet().forEach(name -> out.put(name, lag.lags(name)));
    System.err.printf(Locale.ROOT, "lag p99: native %.1f ms, Ferry %.1f ms%n",
        Lag.percentileMs(out.get("native"), 0.99), Lag.percentileMs(out.get("ferry"), 0.99));
    return out;
  }

  /** Primary TPS at full speed with no replica, the native replica, Ferry; per round, alternating. */
  private Map<String, List<Double>> tps() throws Exception {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (String mode : List.of("none", "native", "ferry")) {
      out.put(mode, new ArrayList<>());
    }
    for (int round = 0; round < s.rounds(); round++) {
      List<String> order = round % 2 == 0 ? List.of("none", "native", "ferry") : List.of("ferry", "native", "none");
      for (String mode : order) {
        nativeReplica.stop();
        ferry.stop();
        if (mode.equals("native")) {
          nativeReplica.start();
          Sql.awaitMark(nativeUrl, mark(), Duration.ofMinutes(10)); // caught up before the turn
        } else if (mode.equals("ferry")) {
          ferry.start();
          Sql.awaitMark(ferryUrl, mark(), Duration.ofMinutes(10));
        }
        double rate = fullSpeed();
        out.get(mode).add(rate);
        System.err.printf(Locale.ROOT, "primary TPS with %s: %.0f%n", mode, rate);
      }
    }
    nativeReplica.stop();
    ferry.stop();
    nativeReplica.start();
    ferry.start();
    awaitBoth(Duration.ofMinutes(10));
    return out;
  }

  private double fullSpeed() throws Exception {
    try (Load load = Load.start(primary, s.clients(), s.accounts(), 0, 0, take(10_000_000))) {
      Thread.sleep(1_000);
      long before = load.committed();
      long start = System.nanoTime();
      Thread.sleep(s.tpsFor().toMillis());
      return (load.committed() - before) / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** The nanoTime at which Ferry's capture has journaled {@code count} transactions since its start. */
  private long awaitCaptured(long count) {
    while (ferry.captured() < count) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return System.nanoTime();
  }

  /** Both replicas at the primary: a new mark arrives on each. */
  private void awaitBoth(Duration timeout) throws Exception {
    long mark = mark();
    Sql.awaitMark(nativeUrl, mark, timeout);
    Sql.awaitMark(ferryUrl, mark, timeout);
    ferry.failure().ifPresent(f -> {
      throw new IllegalStateException("Ferry failed: " + f);
    });
  }

  private long mark() throws Exception {
    long mark = nextMark++;
    Sql.exec(primary, "INSERT INTO mark VALUES (" + mark + ")");
    return mark;
  }

  private long take(long ids) {
    long first = nextId;
    nextId += ids;
    return first;
  }

  /** Whether both replicas hold the primary's rows at the end. */
  private String digests() throws Exception {
    awaitBoth(Duration.ofMinutes(5));
    List<String> tables = List.of("accounts", "history", "probe", "mark");
    Map<String, TableDigest> expected = digest(primary, tables);
    boolean nativeEqual = digest(nativeUrl, tables).equals(expected);
    boolean ferryEqual = digest(ferryUrl, tables).equals(expected);
    return "native " + (nativeEqual ? "equal" : "DIFFERENT") + ", Ferry " + (ferryEqual ? "equal" : "DIFFERENT");
  }

  /** The Ferry target's latest InnoDB deadlock, if any, on stderr: what its apply retried. */
  private void printLatestDeadlock() throws Exception {
    try (Connection c = DriverManager.getConnection(ferryUrl); var st = c.createStatement();
        var rs = st.executeQuery("SHOW ENGINE INNODB STATUS")) {
      String status = rs.next() ? rs.getString(3) : "";
      int from = status.indexOf("LATEST DETECTED DEADLOCK");
      int to = status.indexOf("TRANSACTIONS\n", from + 1);
      if (from >= 0) {
        System.err.println("Ferry target's " + status.substring(from, to < 0 ? status.length() : to));
      }
    }
  }

  private static Map<String, TableDigest> digest(String url, List<String> tables) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.ofAll(c, tables);
    }
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
