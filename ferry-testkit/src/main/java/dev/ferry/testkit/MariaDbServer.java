package dev.ferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway MariaDB server in a temp directory (its data directory a copy of the one
 * {@code mariadb-install-db} made once per JVM): {@code mariadbd} started on a free random port on 127.0.0.1 with its own socket, the row-based binlog on
 * ({@code log_bin}, {@code binlog_format=ROW}, {@code binlog_row_image=FULL}, {@code sync_binlog=1}),
 * a server id of its own, GTID domain 0, {@code utf8mb4_bin} as the server's collation and UTC as
 * its time zone. The server runs with {@code --no-defaults}: nothing from {@code /etc/mysql} applies.
 * When the test JVM runs as root the server runs as the {@code mysql} OS user ({@code --user=mysql}:
 * mariadbd refuses root). {@code root@127.0.0.1} has no password. {@link #close()} kills it and
 * deletes its directory; a JVM shutdown hook does the same for servers a failed test left behind.
 *
 * <p>Binaries are {@code $FERRY_MARIADB_BIN/mariadbd} and {@code mariadb-install-db} there, else
 * {@code /usr/sbin/mariadbd} and {@code /usr/bin/mariadb-install-db} (Debian's
 * {@code mariadb-server}). Thread-safe: several servers may run at once.
 */
public final class MariaDbServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);
  private static final Set<MariaDbServer> RUNNING = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger SERVER_IDS = new AtomicInteger(1);
  private static final String OS_USER = "mysql";
  /** The installed data directory servers copy ({@link #template}); null until the first start. */
  private static Path template;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(MariaDbServer::closeQuietly),
        "ferry-mariadb-cleanup"));
  }

  private final Path dir;
  private final int port;
  private final int serverId;
  private final Process process;
  private volatile boolean closed;

  private MariaDbServer(Path dir, int port, int serverId, Process process) {
    this.dir = dir;
    this.port = port;
    this.serverId = serverId;
    this.process = process;
  }

  /** Starts a server with the default settings. */
  public static MariaDbServer start() throws IOException, InterruptedException {
    return start(Map.of());
  }

  /**
   * Starts a server; {@code settings} are added as {@code --name=value} options after the
   * defaults (a later option wins), e.g. {@code gtid_domain_id=2}.
   */
  public static MariaDbServer start(Map<String, String> settings) throws IOException, InterruptedException {
    Path install = binary("mariadb-install-db", Path.of("/usr/bin"));
    Path mariadbd = binary("mariadbd", Path.of("/usr/sbin"));
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("ferry-mariadb-");
    try {
      Files.createDirectories(dir.resolve("tmp")); // its own tmpdir: see serverCommand
      if (root) {
        exec(List.of("chown", "-R", OS_USER + ":" + OS_USER, dir.toString()), dir, Duration.ofSeconds(30));
      }
      // A copy of this JVM's one installed data directory: mariadb-install-db is 2 s and a CPU-second per server.
      exec(List.of("cp", "-a", template(install, root).toString(), dir.resolve("data").toString()), dir,
          Duration.ofMinutes(1));
    } catch (IOException | InterruptedException e) {
      TempFiles.deleteTree(dir);
      throw e;
    }
    int serverId = SERVER_IDS.getAndIncrement();
    IOException lastFailure = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      int port = ServerStart.freePort();
      Process process = new ProcessBuilder(serverCommand(mariadbd, dir, port, serverId, root, settings))
          .directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile())).start();
      MariaDbServer server = new MariaDbServer(dir, port, serverId, process);
      RUNNING.add(server);
      try {
        server.awaitReady();
        log.debug("MariaDB server {} listening on 127.0.0.1:{}", dir, port);
        return server;
      } catch (IOException e) {
        // Another process may have taken the port between our probe and the server's bind.
        lastFailure = new IOException(e.getMessage() + "\n--- server.log ---\n" + server.serverLog(), e);
        RUNNING.remove(server);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    TempFiles.deleteTree(dir);
    throw lastFailure;
  }

  /**
   * A data directory {@code mariadb-install-db} made, once per JVM (deleted at its exit), which each
   * server copies: the servers differ only in their start options, never in the installed files.
   */
  private static synchronized Path template(Path install, boolean root) throws IOException, InterruptedException {
    if (template != null) {
      return template;
    }
    Path base = Files.createTempDirectory("ferry-mariadb-template-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        TempFiles.deleteTree(base);
      } catch (IOException e) {
        // a temp directory left behind
      }
    }, "ferry-mariadb-template-cleanup"));
    Files.createDirectories(base.resolve("tmp"));
    if (root) {
      exec(List.of("chown", "-R", OS_USER + ":" + OS_USER, base.toString()), base, Duration.ofSeconds(30));
    }
    List<String> installCommand = new ArrayList<>(List.of(install.toString(), "--no-defaults",
        "--datadir=" + base.resolve("data"), "--auth-root-authentication-method=normal", "--skip-test-db",
        "--innodb-log-file-size=16M", "--tmpdir=" + base.resolve("tmp")));
    if (root) {
      installCommand.add("--user=" + OS_USER);
    }
    exec(installCommand, base, Duration.ofMinutes(2));
    template = base.resolve("data");
    return template;
  }

  private static List<String> serverCommand(Path mariadbd, Path dir, int port, int serverId, boolean root,
      Map<String, String> settings) {
    List<String> command = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults",
        "--datadir=" + dir.resolve("data"),
        "--port=" + port,
        "--bind-address=127.0.0.1",
        "--socket=" + dir.resolve("mysqld.sock"),
        "--pid-file=" + dir.resolve("mysqld.pid"),
        // Internal temp tables are named by pid and thread: a server in another pid namespace sharing /tmp clashed.
        "--tmpdir=" + dir.resolve("tmp"),
        "--log-error=" + dir.resolve("server.log"),
        "--log-bin=" + dir.resolve("data/binlog"),
        "--server-id=" + serverId,
        "--gtid-domain-id=0",
        "--binlog-format=ROW",
        "--binlog-row-image=FULL",
        "--binlog-row-metadata=FULL",
        "--sync-binlog=1",
        "--innodb-flush-log-at-trx-commit=1",
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_bin",
        "--default-time-zone=+00:00",
        "--skip-name-resolve",
        "--max-connections=200"));
    if (root) {
      command.add("--user=" + OS_USER);
    }
    settings.forEach((k, v) -> command.add("--" + k + "=" + v));
    return command;
  }

  private static Path binary(String name, Path fallbackDir) throws IOException {
    String env = System.getenv("FERRY_MARIADB_BIN");
    Path dir = env != null && !env.isBlank() ? Path.of(env) : fallbackDir;
    Path binary = dir.resolve(name);
    if (!Files.isExecutable(binary)) {
      throw new IOException("MariaDB binary " + binary + " not found: set FERRY_MARIADB_BIN or install the"
          + " mariadb-server package");
    }
    return binary;
  }

  private void awaitReady() throws IOException, InterruptedException {
    ServerStart.awaitAccepting("mariadbd", port, Duration.ofSeconds(60), Optional.of(process), this::connect);
  }

  public int port() {
    return port;
  }

  /** The server's {@code server_id}, distinct for every server this JVM started. */
  public int serverId() {
    return serverId;
  }

  /** The server's directory (data directory, binlogs, socket, server log); deleted by {@link #close()}. */
  public Path directory() {
    return dir;
  }

  /** The server's process id. */
  public long serverPid() {
    return process.pid();
  }

  /** JDBC URL of a connection to {@code database} as {@code root}. */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?user=root";
  }

  /** JDBC URL of a connection without a default database. */
  public String jdbcUrl() {
    return jdbcUrl("");
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database));
  }

  /** Creates a database (a MariaDB schema) and returns its JDBC URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE `" + name.replace("`", "``") + "`");
    }
    return jdbcUrl(name);
  }

  /** The server log so far, for failure messages. */
  public String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  /** Kills the server ({@code SIGKILL}: its data is thrown away) and deletes the directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    RUNNING.remove(this);
    try {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IOException("mariadbd (pid " + process.pid() + ") did not exit within 30 s of SIGKILL");
      }
    } finally {
      TempFiles.deleteTree(dir);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | InterruptedException | RuntimeException e) {
      log.warn("could not remove MariaDB server {}: {}", dir, e.toString());
    }
  }

  private static void exec(List<String> command, Path workDir, Duration timeout) throws IOException, InterruptedException {
    Path out = Files.createTempFile("ferry-mariadbtool-", ".out");
    try {
      Process p = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue() + ":\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
