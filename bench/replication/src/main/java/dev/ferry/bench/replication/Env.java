package dev.ferry.bench.replication;

import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two throwaway clusters and everything on them: the primary's database {@code bench}, and on
 * the replica cluster one database per peer ({@code native_r}, {@code ferry_r}), all loaded with
 * the same pgbench data, plus a marker table (a row the harness inserts last and waits for) and a
 * heartbeat table (lag). Not thread-safe except where noted.
 */
final class Env implements AutoCloseable {
  static final String DB = "bench";
  static final String NATIVE_DB = "native_r";
  static final String FERRY_DB = "ferry_r";
  static final String PUBLICATION = "bench_pub";
  static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
      "pgbench_history", "bench_marker", "bench_heartbeat");
  static final Map<String, String> SETTINGS = Map.of("shared_buffers", "256MB", "fsync", "on",
      "max_worker_processes", "16");
  private static final Path PG_BIN = Path.of(System.getenv().getOrDefault("FERRY_PG_BIN", "/usr/lib/postgresql/15/bin"));

  final PostgresCluster primary;
  final PostgresCluster replica;
  final Path work;
  final int scale;
  private long markerSeq;

  private Env(PostgresCluster primary, PostgresCluster replica, Path work, int scale) {
    this.primary = primary;
    this.replica = replica;
    this.work = work;
    this.scale = scale;
  }

  static Env start(int scale, Log log) throws Exception {
    Path work = Files.createTempDirectory("ferry-bench-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        dev.ferry.testkit.TempFiles.deleteTree(work);
      } catch (IOException e) {
        System.err.println("could not remove " + work + ": " + e);
      }
    }, "ferry-bench-cleanup"));
    PostgresCluster p = PostgresCluster.start(SETTINGS);
    PostgresCluster r;
    try {
      r = PostgresCluster.start(SETTINGS);
    } catch (Exception e) {
      p.close();
      throw e;
    }
    Env env = new Env(p, r, work, scale);
    try {
      env.load(log);
    } catch (Exception e) {
      env.close();
      throw e;
    }
    return env;
  }

  private void load(Log log) throws Exception {
    primary.createDatabase(DB);
    replica.createDatabase(NATIVE_DB);
    log.line("loading pgbench scale %d on the primary and the replica...", scale);
    pgbenchInit(primary, DB);
    pgbenchInit(replica, NATIVE_DB);
    for (String url : List.of(primaryUrl(), replica.jdbcUrl(NATIVE_DB))) {
      exec(url, "CREATE TABLE bench_marker (id bigint PRIMARY KEY, note text)",
          "CREATE TABLE bench_heartbeat (id bigint PRIMARY KEY, sent timestamptz NOT NULL)");
    }
    // Case 3 splits each heartbeat's lag: an ALWAYS trigger (it fires for both peers' apply sessions)
    // notes when the row was written on the replica, before that replica transaction commits.
    exec(replica.jdbcUrl(NATIVE_DB),
        "CREATE TABLE bench_heartbeat_written (id bigint PRIMARY KEY, at timestamptz NOT NULL)",
        "CREATE FUNCTION bench_heartbeat_written() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + "INSERT INTO public.bench_heartbeat_written VALUES (NEW.id, pg_catalog.clock_timestamp()) ON CONFLICT (id) DO NOTHING; "
            + "RETURN NEW; END $$",
        "CREATE TRIGGER heartbeat_written AFTER INSERT ON bench_heartbeat FOR EACH ROW "
            + "EXECUTE FUNCTION public.bench_heartbeat_written()",
        "ALTER TABLE bench_heartbeat ENABLE ALWAYS TRIGGER heartbeat_written");
    exec(replica.jdbcUrl(), "CREATE DATABASE " + FERRY_DB + " TEMPLATE " + NATIVE_DB);
    // pgbench_history has no primary key; native and Ferry both need a replica identity to publish it.
    exec(primaryUrl(), "ALTER TABLE pgbench_history REPLICA IDENTITY FULL",
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + String.join(", ", TABLES), "CHECKPOINT");
    exec(replica.jdbcUrl(NATIVE_DB), "CREATE SUBSCRIPTION native_sub CONNECTION '" + libpq(primary, DB)
        + "' PUBLICATION " + PUBLICATION + " WITH (copy_data = false, enabled = false, slot_name = 'native_sub')");
    PostgresSetup.setup(ferrySource());
  }

  /** Ferry's source: every table in {@code public} (the same set as the native publication). */
  PostgresSourceConfig ferrySource() {
    return PostgresSourceConfig.of("bench", primaryUrl());
  }

  String primaryUrl() {
    return primary.jdbcUrl(DB);
  }

  static String libpq(PostgresCluster c, String db) {
    return "host=127.0.0.1 port=" + c.port() + " dbname=" + db + " user=postgres";
  }

  private void pgbenchInit(PostgresCluster c, String db) throws Exception {
    run(Duration.ofMinutes(10), pgbench(c, db, "-i", "-q", "-s", String.valueOf(scale), "-I", "dtGvp"));
  }

  static List<String> pgbench(PostgresCluster c, String db, String... args) {
    List<String> cmd = new ArrayList<>(List.of(PG_BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(c.port()), "-U", "postgres"));
    cmd.addAll(List.of(args));
    cmd.add(db);
    return cmd;
  }

  static Path pgBin(String name) {
    return PG_BIN.resolve(name);
  }

  /** Runs the standard pgbench workload ({@code -n -N -c4 -j2}) for {@code transactions} in all; returns tps. */
  double pgbenchTransactions(long transactions) throws Exception {
    return tps(run(Duration.ofMinutes(20), pgbench(primary, DB, "-n", "-N", "-c4", "-j2", "-t",
        String.valueOf(Math.max(1, transactions / 4)))));
  }

  /** Runs the standard pgbench workload for {@code seconds}; returns tps. */
  double pgbenchSeconds(int seconds) throws Exception {
    return tps(run(Duration.ofSeconds(seconds + 120L), pgbench(primary, DB, "-n", "-N", "-c4", "-j2", "-T",
        String.valueOf(seconds))));
  }

  private static double tps(String out) {
    Matcher m = Pattern.compile("tps = ([0-9.]+)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("pgbench printed no tps:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  static String run(Duration timeout, List<String> command) throws Exception {
    Path out = Files.createTempFile("ferry-bench-cmd-", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command.getFirst() + " still running after " + timeout);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static void exec(String url, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  static long queryLong(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Inserts the next marker row on the primary (after everything else) and returns its id. */
  long mark() throws SQLException {
    long id = ++markerSeq;
    exec(primaryUrl(), "INSERT INTO bench_marker VALUES (" + id + ", 'marker')");
    return id;
  }

  /**
   * Polls {@code replicaDb} every millisecond until marker {@code id} is visible; returns the time
   * it became visible ({@link System#nanoTime()}), or -1 if {@code alive} turned false or the time ran out.
   */
  long awaitMarker(String replicaDb, long id, Duration timeout, BooleanSupplier alive) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Connection c = DriverManager.getConnection(replica.jdbcUrl(replicaDb));
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM bench_marker WHERE id = ?")) {
      ps.setLong(1, id);
      long polls = 0;
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return System.nanoTime();
          }
        }
        if (++polls % 100 == 0 && !alive.getAsBoolean()) {
          return -1;
        }
        Thread.sleep(1);
      }
    }
    return -1;
  }

  /**
   * Digests of every replicated table: row count and the sum of each row's md5 (first 60 bits),
   * computed by the server, so the order of rows does not matter.
   */
  static Map<String, String> digests(String url) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String t : TABLES) {
        try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))"
            + "::bit(60)::bigint), 0) FROM " + t + " t")) {
          rs.next();
          out.put(t, rs.getLong(1) + ":" + rs.getString(2));
        }
      }
    }
    return out;
  }

  /** Empty when the replica database equals the primary, else the tables that differ. */
  List<String> differences(String replicaDb) throws SQLException {
    Map<String, String> a = digests(primaryUrl());
    Map<String, String> b = digests(replica.jdbcUrl(replicaDb));
    List<String> differ = new ArrayList<>();
    for (String t : TABLES) {
      if (!a.get(t).equals(b.get(t))) {
        differ.add(t + " (primary " + a.get(t) + ", replica " + b.get(t) + ")");
      }
    }
    return differ;
  }

  /** VACUUM on the primary and both replicas, so every turn starts from the same table state. */
  void vacuum() throws SQLException {
    exec(primaryUrl(), "VACUUM pgbench_accounts", "CHECKPOINT");
    exec(replica.jdbcUrl(NATIVE_DB), "VACUUM pgbench_accounts");
    exec(replica.jdbcUrl(FERRY_DB), "VACUUM pgbench_accounts", "CHECKPOINT");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      replica.close();
    } finally {
      primary.close();
      dev.ferry.testkit.TempFiles.deleteTree(work);
    }
  }

  /** Progress lines on standard error. */
  interface Log {
    void line(String format, Object... args);
  }
}
