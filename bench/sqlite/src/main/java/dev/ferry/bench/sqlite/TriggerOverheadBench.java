package dev.ferry.bench.sqlite;

import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What capture triggers cost a SQLite source: insert and update throughput of the same workload on
 * a database without Ferry's triggers and one with them, alternating (A B A B …) so machine noise
 * hits both alike. Synchronous commits in WAL mode ({@code synchronous=NORMAL} and {@code FULL}).
 *
 * <p>Usage: {@code TriggerOverheadBench [--quick]}.
 */
public final class TriggerOverheadBench {
  private static final int ROWS_PER_TX = 10;

  record Result(double insertTps, double updateTps) {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int pairs = quick ? 2 : 5;
    int transactions = quick ? 1500 : 5000;
    Path dir = Files.createTempDirectory("ferry-sqlite-bench-");
    System.out.printf(Locale.ROOT, "# SQLite trigger overhead: %d pairs, %d transactions of %d rows each, %s%n%n",
        pairs, transactions, ROWS_PER_TX, Runtime.version());
    System.out.println("| synchronous | operation | without triggers tx/s | with triggers tx/s | with/without (median, min–max) |");
    System.out.println("|---|---|---:|---:|---|");
    for (String sync : List.of("NORMAL", "FULL")) {
      List<Result> plain = new ArrayList<>();
      List<Result> captured = new ArrayList<>();
      for (int pair = 0; pair < pairs; pair++) {
        plain.add(run(dir.resolve("plain-" + sync + pair + ".db"), sync, false, transactions));
        captured.add(run(dir.resolve("captured-" + sync + pair + ".db"), sync, true, transactions));
      }
      row(sync, "insert", plain.stream().map(Result::insertTps).toList(), captured.stream().map(Result::insertTps).toList());
      row(sync, "update", plain.stream().map(Result::updateTps).toList(), captured.stream().map(Result::updateTps).toList());
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  private static void row(String sync, String op, List<Double> plain, List<Double> captured) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < plain.size(); i++) {
      ratios.add(captured.get(i) / plain.get(i));
    }
    System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f (%.2f–%.2f) |%n", sync, op, median(plain),
        median(captured), median(ratios), ratios.stream().mapToDouble(d -> d).min().orElse(0),
        ratios.stream().mapToDouble(d -> d).max().orElse(0));
  }

  static Result run(Path file, String synchronous, boolean triggers, int transactions) throws Exception {
    String url = "jdbc:sqlite:" + file;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA synchronous = " + synchronous);
      st.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL,"
          + " rate REAL, note TEXT, photo BLOB)");
      if (triggers) {
        SqliteSetup.setup(c, SqliteSourceConfig.of("bench", url));
      }
      SplittableRandom random = new SplittableRandom(11);
      long start = System.nanoTime();
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?)")) {
        for (int t = 0; t < transactions; t++) {
          st.execute("BEGIN");
          for (int r = 0; r < ROWS_PER_TX; r++) {
            int id = t * ROWS_PER_TX + r;
            byte[] photo = new byte[64];
            random.nextBytes(photo);
            ins.setInt(1, id);
            ins.setString(2, "owner " + id);
            ins.setLong(3, random.nextLong(1_000_000));
            ins.setDouble(4, random.nextDouble());
            ins.setString(5, random.nextInt(3) == 0 ? null : "note " + random.nextInt());
            ins.setBytes(6, photo);
            ins.executeUpdate();
          }
          st.execute("COMMIT");
        }
      }
      double insertTps = transactions / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      try (PreparedStatement upd = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
        for (int t = 0; t < transactions; t++) {
          st.execute("BEGIN");
          for (int r = 0; r < ROWS_PER_TX; r++) {
            upd.setInt(1, 1 + random.nextInt(100));
            upd.setInt(2, random.nextInt(transactions * ROWS_PER_TX));
            upd.executeUpdate();
          }
          st.execute("COMMIT");
        }
      }
      double updateTps = transactions / ((System.nanoTime() - start) / 1e9);
      if (triggers) {
        try (var rs = st.executeQuery("SELECT count(*) FROM _ferry_changes")) {
          rs.next();
          if (rs.getLong(1) != 2L * transactions * ROWS_PER_TX) {
            throw new IllegalStateException("triggers recorded " + rs.getLong(1) + " changes, expected "
                + 2L * transactions * ROWS_PER_TX);
          }
        }
      }
      return new Result(insertTps, updateTps);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(Path.of(file + "-wal"));
      Files.deleteIfExists(Path.of(file + "-shm"));
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
