package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's five-minute guide, followed literally: its grants make a role {@code ferry} that
 * is no superuser on a source and a replica cluster, {@code setup} runs once as {@code postgres}
 * (the guide's command line), {@code run} as {@code ferry}, and the replica converges. The role
 * named {@code ferry} then creates a table without a schema and it lands in {@code public} on the
 * source and, replicated, on the replica: never in Ferry's own schema.
 */
@Timeout(600)
class FiveMinuteGuideTest {
  private static final int ACCOUNTS = 200;

  @TempDir Path dir;

  @Test
  void guideFollowedLiterallyWithANonSuperuserRoleEndsWithAConvergedReplica() throws Exception {
    ReadmeGuide guide = ReadmeGuide.read();
    try (PostgresCluster source = PostgresCluster.start(); PostgresCluster replica = PostgresCluster.start();
         FerryCli cli = new FerryCli(dir)) {
      String sourceUrl = source.createDatabase("app");
      String replicaUrl = replica.createDatabase("app");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS);
      for (String url : List.of(sourceUrl, replicaUrl)) {
        try (Connection c = DriverManager.getConnection(url)) {
          bank.createSchema(c);
        }
      }
      try (Connection c = DriverManager.getConnection(sourceUrl)) {
        bank.load(c);
      }
      Sql.execute(sourceUrl, guide.sql("source"));
      Sql.execute(replicaUrl, guide.sql("replica"));
      assertThat(Sql.scalar(sourceUrl, "SELECT rolsuper FROM pg_roles WHERE rolname = 'ferry'")).isEqualTo("f");
      assertThat(Sql.scalar(replicaUrl, "SELECT rolsuper FROM pg_roles WHERE rolname = 'ferry'")).isEqualTo("f");

      Path config = dir.resolve("ferry.yaml");
      Files.writeString(config, guide.yaml()
          .replace("127.0.0.1:5432", "127.0.0.1:" + source.port())
          .replace("127.0.0.1:5433", "127.0.0.1:" + replica.port())
          .replace("/var/lib/ferry/journal", dir.resolve("journal").toString()));
      List<ReadmeGuide.Command> commands = guide.commands();
      ReadmeGuide.Command setup = commands.get(0);
      ReadmeGuide.Command run = commands.get(1);
      assertThat(setup.args()).startsWith("setup");
      assertThat(setup.env()).containsEntry("FERRY_SOURCE_USER", "postgres");
      assertThat(run.args()).startsWith("run");
      assertThat(run.env()).doesNotContainKey("FERRY_SOURCE_USER");

      FerryCli.Result setupResult = cli.run(Duration.ofMinutes(3), setup.env(), withConfig(setup.args(), config));
      assertThat(setupResult.exitCode()).as("setup as postgres: %s", setupResult.all()).isZero();
      Path log = dir.resolve("run.log");
      Process running = cli.start(log, run.env(), withConfig(run.args(), config));
      try (WorkloadRunner workload = WorkloadRunner.start(bank, () -> DriverManager.getConnection(sourceUrl), 2, 7)) {
        workload.awaitCommitted(300, Duration.ofMinutes(2));
        workload.stop();
      }
      assertThat(awaitEqual(sourceUrl, replicaUrl, Duration.ofMinutes(3), running))
          .as("tables that differ; run log:%n%s", Files.readString(log)).isEmpty();
      assertThat(Files.readString(log)).as("the role may set session_replication_role (granted)")
          .doesNotContain("session_replication_role");

      String asFerry = sourceUrl.replace("user=postgres", "user=ferry");
      Sql.execute(asFerry, "CREATE TABLE mine (id int PRIMARY KEY)");
      assertThat(schemaOf(sourceUrl, "mine")).as("the role ferry's own table on the source").isEqualTo("public");
      assertThat(awaitSchemaOf(replicaUrl, "mine", Duration.ofMinutes(2), running))
          .as("the replicated table on the replica; run log:%n%s", Files.readString(log)).isEqualTo("public");
      assertThat(FerryCli.terminate(running, Duration.ofSeconds(60))).isZero();
    }
  }

  private static String[] withConfig(List<String> args, Path config) {
    return args.stream().map(a -> a.equals("ferry.yaml") ? config.toString() : a).toArray(String[]::new);
  }


  private static String schemaOf(String url, String table) throws SQLException {
    return Sql.scalar(url, "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE c.relname = '" + table + "' AND c.relkind = 'r'");
  }

  private static String awaitSchemaOf(String url, String table, Duration timeout, Process running) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String schema = schemaOf(url, table);
    while (schema == null && running.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      schema = schemaOf(url, table);
    }
    return schema;
  }

  static List<String> awaitEqual(String sourceUrl, String replicaUrl, Duration timeout, Process running)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> differ = differences(sourceUrl, replicaUrl);
    while (!differ.isEmpty() && running.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      differ = differences(sourceUrl, replicaUrl);
    }
    return differ;
  }

  private static List<String> differences(String sourceUrl, String replicaUrl) throws SQLException {
    Map<String, TableDigest> a;
    Map<String, TableDigest> b;
    try (Connection c = DriverManager.getConnection(sourceUrl)) {
      a = TableDigest.ofAll(c, BankWorkload.TABLES);
    }
    try (Connection c = DriverManager.getConnection(replicaUrl)) {
      b = TableDigest.ofAll(c, BankWorkload.TABLES);
    }
    return BankWorkload.TABLES.stream().filter(t -> !a.get(t).equals(b.get(t))).toList();
  }
}
