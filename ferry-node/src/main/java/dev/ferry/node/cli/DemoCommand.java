package dev.ferry.node.cli;

import dev.ferry.node.config.ConfigException;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.SameDatabaseGuard;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TempFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry demo}: a primary and a replica under a live bank workload, then compared. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the demo: a live bank workload replicated and compared.",
        "Replicate a bank-transfer workload from a primary to a replica while a reader checks that the",
        "replica's total balance never changes; then compare every table on both sides.",
        "Embedded SQLite by default (no server needed); --postgres uses two throwaway PostgreSQL clusters,",
        "--mariadb two throwaway MariaDB servers.",
        "Exit code 0 when the replica equals the primary, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", description = "Where the demo's databases and journal go (default: ${DEFAULT-VALUE}).")
  Path dir = Path.of("ferry-demo");

  @Option(names = "--seconds", description = "How long the workload runs (default: ${DEFAULT-VALUE}).")
  int seconds = 20;

  @Option(names = "--clients", description = "Concurrent workload clients (default: ${DEFAULT-VALUE}).")
  int clients = 4;

  @Option(names = "--accounts", description = "Accounts the bank starts with (default: ${DEFAULT-VALUE}).")
  int accounts = 1000;

  @Option(names = "--seed", description = "Workload seed (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--postgres", description = "Use two throwaway PostgreSQL clusters instead of SQLite files.")
  boolean postgres;

  @Option(names = "--mariadb", description = "Use two throwaway MariaDB servers instead of SQLite files.")
  boolean mariadb;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (seconds < 1 || clients < 1 || accounts < 2) {
      throw new CliException("--seconds and --clients must be at least 1, --accounts at least 2");
    }
    if (postgres && mariadb) {
      throw new UsageException("--postgres and --mariadb exclude each other: the demo runs on one kind of database");
    }
    Path home = prepare(dir.toAbsolutePath().normalize());
    DemoRun.Settings settings = new DemoRun.Settings(Duration.ofSeconds(seconds), clients, accounts, seed,
        spec.commandLine().getOut());
    if (postgres) {
      try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster replica = PostgresCluster.start()) {
        return postgres(home, primary, replica, settings);
      }
    }
    if (mariadb) {
      try (MariaDbServer primary = MariaDbServer.start(); MariaDbServer replica = MariaDbServer.start()) {
        return mariadb(home, primary, replica, settings);
      }
    }
    return sqlite(home, settings);
  }

  private int sqlite(Path home, DemoRun.Settings settings) throws Exception {
    String primaryUrl = "jdbc:sqlite:" + home.resolve("primary.db");
    String replicaUrl = "jdbc:sqlite:" + home.resolve("replica.db");
    for (String url : List.of(primaryUrl, replicaUrl)) {
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
      }
    }
    BankWorkload bank = new BankWorkload(BankWorkload.Dialect.SQLITE, settings.accounts());
    // Capture starts on an empty primary: the bank's tables and first rows arrive on the replica
    // through the journal as DDL and inserts, like everything after them.
    NodeSpec node = configured(home, primaryUrl, "  poll-interval: 50ms\n", replicaUrl, "", settings);
    return new DemoRun(node, bank, primaryUrl, replicaUrl, settings, false).run();
  }

  private int postgres(Path home, PostgresCluster primary, PostgresCluster replica, DemoRun.Settings settings)
      throws Exception {
    String primaryUrl = primary.createDatabase("bank");
    String replicaUrl = replica.createDatabase("bank");
    BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, settings.accounts());
    // The publication lists existing tables: both sides get the schema first (initial sync of an
    // existing database is not part of the demo).
    createSchema(bank, primaryUrl, replicaUrl);
    NodeSpec node = configured(home, primaryUrl, "", replicaUrl, "", settings);
    return new DemoRun(node, bank, primaryUrl, replicaUrl, settings, true).run();
  }

  /**
   * Two servers with the row-based binlog on (the test kit's defaults: {@code log_bin},
   * {@code binlog_format=ROW}, {@code binlog_row_image=FULL}, a server id each), run as the
   * {@code mysql} OS user when the demo runs as root, connected to as {@code root}, which has every
   * grant capture needs. Both get the schema first, as in the PostgreSQL demo; the
   * primary's binlog is then reset so that its first journaled transaction is {@code 0-1-1} and the
   * journal's GTIDs count the demo's transactions, as for the other databases.
   */
  private int mariadb(Path home, MariaDbServer primary, MariaDbServer replica, DemoRun.Settings settings)
      throws Exception {
    String primaryUrl = primary.createDatabase("bank");
    String replicaUrl = replica.createDatabase("bank");
    BankWorkload bank = new BankWorkload(BankWorkload.Dialect.MARIADB, settings.accounts());
    createSchema(bank, primaryUrl, replicaUrl);
    try (Connection c = primary.connect(); Statement st = c.createStatement()) {
      st.execute("RESET MASTER");
    }
    settings.out().printf("ferry demo: throwaway MariaDB servers on 127.0.0.1:%d (primary, in %s) and 127.0.0.1:%d"
        + " (replica, in %s), removed when the demo ends%n", primary.port(), primary.directory(), replica.port(),
        replica.directory());
    // Read-only would set the throwaway replica server's global read_only (docs/apply.md): the demo stays read-write.
    NodeSpec node = configured(home, primaryUrl, "", replicaUrl, "    mode: read-write\n", settings);
    return new DemoRun(node, bank, primaryUrl, replicaUrl, settings, true).run();
  }

  private static void createSchema(BankWorkload bank, String primaryUrl, String replicaUrl) throws SQLException {
    for (String url : List.of(primaryUrl, replicaUrl)) {
      try (Connection c = DriverManager.getConnection(url)) {
        bank.createSchema(c);
      }
    }
  }

  /**
   * The node as {@code ferry run} would start it: the demo writes its {@code ferry.yaml} (kept in
   * the demo directory, for {@code ferry status -c} during the demo and after), reads it with the
   * configuration reader and checks the databases apart as {@code ferry run} does.
   */
  private static NodeSpec configured(Path home, String primaryUrl, String sourceExtras, String replicaUrl,
      String replicaExtras, DemoRun.Settings settings) throws IOException, ConfigException {
    Path file = home.resolve("ferry.yaml");
    Files.writeString(file, "# written by 'ferry demo'; 'ferry status -c " + file + "' shows the journal and the replica, during the demo and after\n"
        + "source:\n  name: primary\n  url: " + quoted(primaryUrl) + "\n" + sourceExtras
        + "journal:\n  dir: journal\n  segment-size: 16MiB\n  segment-age: 10s\n"
        + "replicas:\n  - name: r1\n    url: " + quoted(replicaUrl) + "\n" + replicaExtras);
    settings.out().printf("ferry demo: configuration %s%n", file);
    FerryConfig config = FerryConfig.load(file);
    return SameDatabaseGuard.check(NodeSpecs.from(config), List.of(), SameDatabaseGuard.Unreachable.CHECK_LATER);
  }

  private static String quoted(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** A fresh demo directory: one the demo made before is emptied; anything else is left alone. */
  private static Path prepare(Path home) throws IOException {
    Path marker = home.resolve(".ferry-demo");
    if (Files.exists(home)) {
      boolean empty;
      try (var entries = Files.list(home)) {
        empty = entries.findAny().isEmpty();
      }
      if (!empty && !Files.exists(marker)) {
        throw new CliException(home + " exists and was not made by 'ferry demo'; choose another --dir");
      }
      TempFiles.deleteTree(home);
    }
    Files.createDirectories(home);
    Files.writeString(marker, "made by ferry demo; removed by the next run\n");
    return home;
  }
}
