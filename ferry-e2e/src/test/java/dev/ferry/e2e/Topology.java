package dev.ferry.e2e;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL primary with the bank schema, a PostgreSQL replica and a SQLite replica (schema
 * created up front: initial sync is not used here), and the ferry.yaml that connects them.
 */
final class Topology implements AutoCloseable {
  static final int ACCOUNTS = 200;

  final PostgresCluster primary;
  final PostgresCluster pgReplica;
  final SqliteDatabase liteReplica;
  final String primaryUrl;
  final String pgReplicaUrl;
  final Path config;

  private Topology(PostgresCluster primary, PostgresCluster pgReplica, SqliteDatabase liteReplica, Path dir)
      throws Exception {
    this.primary = primary;
    this.pgReplica = pgReplica;
    this.liteReplica = liteReplica;
    this.primaryUrl = primary.createDatabase("bank");
    this.pgReplicaUrl = pgReplica.createDatabase("bank");
    BankWorkload pg = new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS);
    for (String url : List.of(primaryUrl, pgReplicaUrl)) {
      try (Connection c = DriverManager.getConnection(url)) {
        pg.createSchema(c);
      }
    }
    try (Connection c = liteReplica.connect()) {
      new BankWorkload(BankWorkload.Dialect.SQLITE, ACCOUNTS).createSchema(c);
    }
    this.config = FerryYaml.source(primaryUrl, dir.resolve("journal")).includeTables("public\\..*").segmentSize("1MiB")
        .replica("pg", pgReplicaUrl).replica("lite", liteReplica.jdbcUrl()).writeTo(dir.resolve("ferry.yaml"));
  }

  /** Starts {@code ferry run} on this configuration, logging to run.log beside it, and waits until all stream. */
  Process startStreaming(FerryCli cli) throws Exception {
    return startStreaming(cli, config.resolveSibling("run.log"));
  }

  /** Starts {@code ferry run} on this configuration, logging to {@code log}, and waits until all stream. */
  Process startStreaming(FerryCli cli, Path log) throws Exception {
    Process run = cli.start(log, "run", "-c", config.toString());
    RunEndToEndTest.awaitStreaming(cli, this, run);
    return run;
  }

  static Topology start(Path dir) throws Exception {
    PostgresCluster primary = PostgresCluster.start();
    try {
      PostgresCluster replica = PostgresCluster.start();
      try {
        return new Topology(primary, replica, SqliteDatabase.create(), dir);
      } catch (Exception e) {
        replica.close();
        throw e;
      }
    } catch (Exception e) {
      primary.close();
      throw e;
    }
  }

  void load() throws SQLException {
    try (Connection c = DriverManager.getConnection(primaryUrl)) {
      bank().load(c);
    }
  }

  /**
   * {@code n} committed one-row transactions on the primary, each moving one unit of an account's
   * balance: a count of transactions that each change something (the random workload's clients
   * also commit transactions that change nothing, which logical decoding rightly never sends).
   */
  long transfers(int n) throws SQLException {
    try (Connection c = DriverManager.getConnection(primaryUrl);
        java.sql.PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
      for (int i = 0; i < n; i++) {
        ps.setInt(1, i % 2 == 0 ? 1 : -1);
        ps.setLong(2, 1 + i % ACCOUNTS);
        ps.executeUpdate();
      }
      return n;
    }
  }

  BankWorkload bank() {
    return new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS);
  }

  WorkloadRunner workload(long seed) {
    return WorkloadRunner.start(bank(), () -> DriverManager.getConnection(primaryUrl), 4, seed);
  }

  /**
   * The bank workload at a steady pace (each of the 4 clients pauses 20 ms after a transaction):
   * for a test that keeps it running for minutes, where a full-speed load would only make the
   * replica's catch-up longer and take the CPU from everything else.
   */
  WorkloadRunner steadyWorkload(long seed) {
    return WorkloadRunner.start(bank(), () -> DriverManager.getConnection(primaryUrl), 1, 4, seed,
        java.time.Duration.ofMillis(20));
  }

  /** Tables whose digest differs between the primary and either replica (empty when equal). */
  List<String> differences() throws SQLException {
    return differences(true, true);
  }

  /** Tables whose digest differs between the primary and the replicas asked for (empty when equal). */
  List<String> differences(boolean onPgReplica, boolean onLiteReplica) throws SQLException {
    List<String> differ = new ArrayList<>();
    Map<String, TableDigest> source;
    // Row counts first: while a replica catches up they differ, and reading and hashing every row of
    // three databases twice a second would only slow the catch-up waited for.
    try (Connection c = DriverManager.getConnection(primaryUrl);
        Connection pg = DriverManager.getConnection(pgReplicaUrl); Connection lite = liteReplica.connect()) {
      Map<String, Long> counts = rowCounts(c);
      differ.addAll(countDifferences("pg", counts, onPgReplica ? rowCounts(pg) : counts));
      differ.addAll(countDifferences("lite", counts, onLiteReplica ? rowCounts(lite) : counts));
      if (!differ.isEmpty()) {
        return differ;
      }
      source = TableDigest.ofAll(c, BankWorkload.TABLES);
      Map<String, TableDigest> onPg = onPgReplica ? TableDigest.ofAll(pg, BankWorkload.TABLES) : source;
      Map<String, TableDigest> onLite = onLiteReplica ? TableDigest.ofAll(lite, BankWorkload.TABLES) : source;
      for (String t : BankWorkload.TABLES) {
        if (onPgReplica && !source.get(t).equals(onPg.get(t))) {
          differ.add("pg:" + t + " " + source.get(t) + " vs " + onPg.get(t));
        }
        if (onLiteReplica && !source.get(t).equals(onLite.get(t))) {
          differ.add("lite:" + t + " " + source.get(t) + " vs " + onLite.get(t));
        }
      }
    }
    return differ;
  }

  private static Map<String, Long> rowCounts(Connection c) {
    return TableDigest.countAll(c, BankWorkload.TABLES);
  }

  private static List<String> countDifferences(String replica, Map<String, Long> source, Map<String, Long> onReplica) {
    List<String> differ = new ArrayList<>();
    source.forEach((t, rows) -> {
      if (!rows.equals(onReplica.get(t))) {
        differ.add(replica + ":" + t + " " + rows + " rows vs " + onReplica.get(t));
      }
    });
    return differ;
  }

  /** Waits until both replicas equal the primary; returns the last differences (empty on success). */
  List<String> awaitEqual(Duration timeout) throws Exception {
    return awaitEqual(timeout, true, true);
  }

  /** Waits until the replicas asked for equal the primary; returns the last differences (empty on success). */
  List<String> awaitEqual(Duration timeout, boolean onPgReplica, boolean onLiteReplica) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> differ = differences(onPgReplica, onLiteReplica);
    while (!differ.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      differ = differences(onPgReplica, onLiteReplica);
    }
    return differ;
  }

  /** Waits until the PostgreSQL replica equals the primary (a configuration that leaves the SQLite one out). */
  void awaitPgEqual(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Connection p = DriverManager.getConnection(primaryUrl);
          Connection r = DriverManager.getConnection(pgReplicaUrl)) {
        if (rowCounts(p).equals(rowCounts(r))
            && TableDigest.ofAll(p, BankWorkload.TABLES).equals(TableDigest.ofAll(r, BankWorkload.TABLES))) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pg differs from the primary after " + timeout + ": " + differences(true, false));
      }
      Thread.sleep(500);
    }
  }

  @Override
  public void close() throws Exception {
    try (primary; pgReplica; liteReplica) {
      // all three closed, whatever fails
    }
  }
}
