package dev.ferry.e2e;

import static dev.ferry.e2e.Sql.execute;
import static dev.ferry.e2e.Sql.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mode: read-only} on PostgreSQL replicas, through the real {@code bin/ferry}: a local
 * write is refused even after {@code SET default_transaction_read_only = off}; Ferry, applying as
 * a role that may not set {@code session_replication_role}, still applies (and says once what that
 * means); {@code teardown --replicas r1} works on the read-only replica, lifts its guards, restores
 * its database setting and leaves replica r2 and the source alone.
 */
@Timeout(600)
class ReadOnlyReplicaTest {
  private static final int ACCOUNTS = 50;
  private static final String UPDATE = "UPDATE accounts SET balance = balance + 1 WHERE id = 1";

  @TempDir Path dir;

  @Test
  void localWritesAreRefusedEvenAfterLiftingTheDefaultAndTeardownOfOneReplicaRestoresIt() throws Exception {
    try (PostgresCluster source = PostgresCluster.start(); PostgresCluster replica = PostgresCluster.start();
         FerryCli cli = new FerryCli(dir)) {
      String sourceUrl = source.createDatabase("app");
      BankWorkload bank = new BankWorkload(BankWorkload.Dialect.POSTGRES, ACCOUNTS);
      try (Connection c = DriverManager.getConnection(sourceUrl)) {
        bank.createSchema(c);
        bank.load(c);
      }
      String r1 = prepareReplica(replica, "r1", bank);
      String r2 = prepareReplica(replica, "r2", bank);
      // r1's database is ferry's (so Ferry may set its default) and had a setting of its own before Ferry.
      execute(r1, "ALTER DATABASE r1 OWNER TO ferry");
      execute(r1, "ALTER DATABASE r1 SET default_transaction_read_only = off");
      Path config = writeConfig(source, r1, r2);
      FerryCli.Result setup = cli.run(Duration.ofMinutes(3), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      execute(sourceUrl, "UPDATE accounts SET owner = 'converged' WHERE id = 2");
      awaitValue(r1, "SELECT owner FROM accounts WHERE id = 2", "converged", run, log);
      awaitValue(r2, "SELECT owner FROM accounts WHERE id = 2", "converged", run, log);
      LogWait.awaitLine(log, "[replica r1] streaming from", run, Duration.ofMinutes(3));
      LogWait.awaitLine(log, "[replica r2] streaming from", run, Duration.ofMinutes(3));

      String runLog = Files.readString(log);
      assertThat(Pattern.compile("\\[replica r1\\] role 'ferry' may not SET session_replication_role").matcher(runLog)
          .results().count()).as("told once for r1, what it means; log:%n%s", runLog).isOne();
      assertThat(runLog).contains("triggers and foreign-key checks fire",
          "GRANT SET ON PARAMETER session_replication_role TO \"ferry\"");

      assertThat(databaseSettings(r1, "r1")).as("set by Ferry").isEqualTo("{default_transaction_read_only=on}");
      assertThat(databaseSettings(r2, "r2")).as("not r2's owner: the guards alone").isNull();
      assertThat(runLog).contains("[replica r2] cannot set default_transaction_read_only");
      String asApp = r1.replace("user=postgres", "user=app");
      assertRefused(asApp, "SET default_transaction_read_only = off");
      assertRefused(asApp, "BEGIN READ WRITE");
      assertRefused(asApp, "SET default_transaction_read_only = off; TRUNCATE history");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      FerryCli.Result teardown = cli.run(Duration.ofMinutes(2), "teardown", "-c", config.toString(), "--replicas", "r1");
      assertThat(teardown.exitCode()).as("teardown --replicas r1: %s", teardown.all()).isZero();
      assertThat(databaseSettings(r1, "r1")).as("r1's setting as before Ferry")
          .isEqualTo("{default_transaction_read_only=off}");
      assertThat(scalar(r1, "SELECT count(*) FROM pg_namespace WHERE nspname = '_ferry'")).isEqualTo("0");
      execute(asApp, UPDATE);
      assertThat(scalar(r2, "SELECT count(*) FROM pg_trigger WHERE tgname = 'ferry_read_only'"))
          .as("r2 keeps its guards").isEqualTo("5");
      assertRefused(r2.replace("user=postgres", "user=app"), "SET default_transaction_read_only = off");
      assertThat(scalar(sourceUrl, "SELECT count(*) FROM pg_replication_slots")).as("the source untouched")
          .isEqualTo("1");

      FerryCli.Result unknown = cli.run(Duration.ofMinutes(1), "teardown", "-c", config.toString(), "--replicas", "r9");
      assertThat(unknown.exitCode()).isEqualTo(2);
      assertThat(unknown.all()).contains("no replica named 'r9'", "r1, r2");
    }
  }

  private static String databaseSettings(String url, String database) throws SQLException {
    return scalar(url, "SELECT s.setconfig::text FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        + "WHERE d.datname = '" + database + "' AND s.setrole = 0");
  }

  /** A database with the bank tables owned by postgres, the apply role ferry and a local role app. */
  private static String prepareReplica(PostgresCluster replica, String name, BankWorkload bank) throws Exception {
    String url = replica.createDatabase(name);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      bank.createSchema(c);
      st.execute("DO $$ BEGIN CREATE ROLE ferry LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
      st.execute("DO $$ BEGIN CREATE ROLE app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
      st.execute("GRANT CREATE ON DATABASE " + name + " TO ferry");
      st.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER ON ALL TABLES IN SCHEMA public TO ferry");
      st.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO app");
    }
    return url;
  }

  private Path writeConfig(PostgresCluster source, String r1, String r2) throws Exception {
    return FerryYaml.source(source.jdbcUrl("app"), dir.resolve("journal")).includeTables("public\\..*")
        .replica("r1", r1.replace("user=postgres", "user=ferry"), "read-only")
        .replica("r2", r2.replace("user=postgres", "user=ferry"), "read-only").writeTo(dir.resolve("ferry.yaml"));
  }

  /** Runs {@code prefix} then the UPDATE, as one session, and expects the guard to refuse it. */
  private static void assertRefused(String url, String prefix) {
    assertThatThrownBy(() -> {
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        st.execute(prefix);
        st.execute(UPDATE);
      }
    }).isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"))
        .hasMessageContaining("read-only");
  }

  private static void awaitValue(String url, String sql, String expected, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!expected.equals(scalar(url, sql))) {
      assertThat(run.isAlive()).as("ferry run is running; log:%n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("%s reached %s; log:%n%s", expected, url, Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }
}
