package dev.ferry.bench.push;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TempFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two throwaway clusters of a run: the source (database {@code bench}) and the targets (one
 * database per replica), a work directory, and small SQL and pgbench helpers. Not thread-safe.
 */
final class Env implements AutoCloseable {
  static final String DB = "bench";
  static final Map<String, String> SETTINGS = Map.of("shared_buffers", "128MB", "max_worker_processes", "16");
  private static final Path PG_BIN = Path.of(System.getenv().getOrDefault("FERRY_PG_BIN",
      "/usr/lib/postgresql/15/bin"));

  final PostgresCluster source;
  final PostgresCluster targets;
  final Path work;

  private Env(PostgresCluster source, PostgresCluster targets, Path work) {
    this.source = source;
    this.targets = targets;
    this.work = work;
  }

  static Env start() throws Exception {
    Path work = Files.createTempDirectory("ferry-push-bench-");
    PostgresCluster s = PostgresCluster.start(SETTINGS);
    PostgresCluster t;
    try {
      t = PostgresCluster.start(SETTINGS);
    } catch (Exception e) {
      s.close();
      throw e;
    }
    s.createDatabase(DB);
    return new Env(s, t, work);
  }

  String sourceUrl() {
    return source.jdbcUrl(DB);
  }

  /** Creates database {@code name} on the targets' cluster; its JDBC URL. */
  String target(String name) throws SQLException {
    return targets.createDatabase(name);
  }

  static String libpq(PostgresCluster c, String db) {
    return "host=127.0.0.1 port=" + c.port() + " dbname=" + db + " user=postgres";
  }

  static void exec(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  static String scalar(String url, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Waits for {@code condition}, checking every 200 ms; {@code what} names it in the failure. */
  static void await(String what, Duration timeout, Check condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  /** A condition that may need the database. */
  interface Check {
    boolean holds() throws Exception;
  }

  /** Runs pgbench against the source with {@code args} (and {@code pgoptions} in PGOPTIONS); its output. */
  String pgbench(String pgoptions, Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PG_BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(source.port()), "-U", "postgres"));
    cmd.addAll(List.of(args));
    cmd.add(DB);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PGOPTIONS", pgoptions);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed:\n"
          + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** pgbench_* tables without rows, keys included, in {@code db} on the targets' cluster. */
  void pgbenchSchemaOnTarget(String db) throws Exception {
    List<String> cmd = List.of(PG_BIN.resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
        String.valueOf(targets.port()), "-U", "postgres", "-i", "-q", "-I", "dtp", db);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("pgbench -i on the target failed:\n" + out);
    }
  }

  /** The 1-, 5- and 15-minute load averages, as {@code uptime} prints them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public void close() throws Exception {
    try {
      targets.close();
    } finally {
      source.close();
      TempFiles.deleteTree(work);
    }
  }
}
