package dev.ferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster: {@code initdb} into a temp directory, started on a free random
 * port on 127.0.0.1 with {@code wal_level=logical}, room for replication slots and senders, and
 * fsync on. When the test JVM runs as root the cluster runs as the {@code postgres} OS user
 * (PostgreSQL refuses root). {@link #close()} stops it and deletes its directory; a JVM shutdown
 * hook does the same for clusters a failed test left behind.
 *
 * <p>Binaries are found in {@code $FERRY_PG_BIN}, else {@code /usr/lib/postgresql/15/bin}, else
 * the newest {@code /usr/lib/postgresql/N/bin}. Thread-safe: several clusters may run at once.
 */
public final class PostgresCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresCluster.class);
  private static final Set<PostgresCluster> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PostgresCluster::closeQuietly),
        "ferry-postgres-cleanup"));
  }

  private final PostgresBinaries bin;
  private final Path dir;
  private final int port;
  private volatile boolean closed;

  private PostgresCluster(PostgresBinaries bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** Starts a cluster with the default settings. */
  public static PostgresCluster start() throws IOException, InterruptedException {
    return start(Map.of());
  }

  /**
   * Starts a cluster; {@code settings} are added to (and override) the defaults in
   * {@code postgresql.conf}, e.g. {@code shared_buffers=256MB}.
   */
  public static PostgresCluster start(Map<String, String> settings) throws IOException, InterruptedException {
    PostgresBinaries bin = PostgresBinaries.find();
    Path dir = Files.createTempDirectory("ferry-pg-");
    bin.handOver(dir);
    Path data = dir.resolve("data");
    bin.run(dir, Duration.ofMinutes(2), "initdb", "-D", data.toString(), "--username=postgres",
        "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
    IOException lastFailure = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      int port = ServerStart.freePort();
      writeConfig(bin, dir, data, port, settings);
      PostgresCluster cluster = new PostgresCluster(bin, dir, port);
      RUNNING.add(cluster);
      try {
        bin.run(dir, Duration.ofMinutes(1), "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
            "-w", "-t", "60", "start");
        cluster.awaitReady();
        log.debug("PostgreSQL cluster {} listening on 127.0.0.1:{}", dir, port);
        return cluster;
      } catch (IOException e) {
        // Another process may have taken the port between our probe and the server's bind.
        lastFailure = new IOException(e.getMessage() + "\n--- server.log ---\n" + cluster.serverLog(), e);
        RUNNING.remove(cluster);
      }
    }
    TempFiles.deleteTree(dir);
    throw lastFailure;
  }

  private static void writeConfig(PostgresBinaries bin, Path dir, Path data, int port, Map<String, String> settings)
      throws IOException, InterruptedException {
    List<String> lines = new ArrayList<>(List.of(
        "listen_addresses = '127.0.0.1'",
        "port = " + port,
        "unix_socket_directories = '" + dir + "'",
        "wal_level = logical",
        "max_replication_slots = 20",
        "max_wal_senders = 20",
        "max_connections = 100",
        "fsync = on",
        "shared_buffers = 64MB",
        "log_min_messages = warning",
        "log_statement = 'none'"));
    settings.forEach((k, v) -> lines.add(k + " = '" + v.replace("'", "''") + "'"));
    Path conf = data.resolve("postgresql.auto.conf");
    Files.write(conf, lines, StandardCharsets.UTF_8);
    bin.handOver(conf);
  }

  private void awaitReady() throws IOException, InterruptedException {
    ServerStart.awaitAccepting("PostgreSQL", port, Duration.ofSeconds(30), Optional.empty(), this::connect);
  }

  public int port() {
    return port;
  }

  /** The cluster's directory (data directory, socket, server log); deleted by {@link #close()}. */
  public Path directory() {
    return dir;
  }

  /** JDBC URL of a normal connection to {@code database} as the superuser {@code postgres}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /** JDBC URL of the {@code postgres} database. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /**
   * JDBC URL of a logical replication connection to {@code database} (pgjdbc's replication API
   * needs {@code replication=database}, the simple query mode and a server version).
   */
  public String replicationUrl(String database) {
    return jdbcUrl(database) + "&replication=database&preferQueryMode=simple&assumeMinServerVersion=10";
  }

  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), new Properties());
  }

  /** Creates a database and returns its JDBC URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = connect(); var st = c.createStatement()) {
      st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
    }
    return jdbcUrl(name);
  }

  /** The server's process id, from {@code postmaster.pid}. */
  public long serverPid() throws IOException {
    return Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).getFirst().trim());
  }

  /** The server log so far, for failure messages. */
  public String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the server ({@code pg_ctl stop -m fast}: sessions are cut, as in an outage or a restart)
   * and keeps its data directory and port, for {@link #restart()}.
   */
  public void stopServer() throws IOException, InterruptedException {
    bin.run(dir, Duration.ofMinutes(1), "pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
  }

  /** Starts the server stopped by {@link #stopServer()} again, on the same data and port. */
  public void restart() throws IOException, InterruptedException {
    bin.run(dir, Duration.ofMinutes(1), "pg_ctl", "-D", dir.resolve("data").toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
    awaitReady();
  }

  /** Stops the server immediately (no checkpoint: the data is thrown away) and deletes the directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    RUNNING.remove(this);
    try {
      bin.run(dir, Duration.ofMinutes(1), "pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    } finally {
      TempFiles.deleteTree(dir);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | InterruptedException | RuntimeException e) {
      log.warn("could not remove PostgreSQL cluster {}: {}", dir, e.toString());
    }
  }
}
