package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.Psql;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDL through the real {@code bin/ferry run}, PostgreSQL to PostgreSQL and to SQLite: a client's
 * multi-statement {@code psql -c} transaction with an ALTER TABLE among its row changes converges
 * under a concurrent write load; DDL that ran inside a {@code DO} block or a function is never
 * replayed: each replica stops naming the GTID, the DDL and what to do, and the documented way
 * past it (the DDL by hand, then {@code skip-ddl} until the GTID is applied) converges.
 */
@Timeout(600)
class DdlEndToEndTest {
  private static final Pattern STOP = Pattern.compile("\\[replica (pg|lite)] cannot apply (\\d+-\\d+-\\d+): its DDL ran "
      + "on the source inside another statement");

  @TempDir Path dir;

  @Test
  void multiStatementPsqlTransactionWithAlterTableConvergesOnPostgresAndSqliteUnderLoad() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      try (WorkloadRunner workload = t.workload(3)) {
        workload.awaitCommitted(100, Duration.ofSeconds(60));
        psql(t, "begin; insert into branches values (1001, 0, 'b;1001'); "
            + "alter table branches add column region int; update branches set region = 7 where id = 1001; "
            + "insert into branches values (1002, 0, $$b'1002;$$, 8); commit;");
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(180))).as("differences; log: %s", RunEndToEndTest.log(dir)).isEmpty();
      assertThat(run.isAlive()).as("ferry run is running; log: %s", RunEndToEndTest.log(dir)).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void ddlInsideDoBlockAndFunctionStopsEachReplicaNamingTheGtidAndSkipDdlAfterRunningItByHandGoesPast()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      t.load();
      // Created before Ferry's first run, so not journaled (a SQLite replica could not take it).
      psql(t, "create function add_zone() returns void language plpgsql as "
          + "$f$ begin execute 'alter table branches add column zone int'; end $f$");
      String doBlock = "do $$ begin insert into branches values (2001, 0, 'do'); "
          + "alter table branches add column region int; end $$";
      String byHand = "alter table branches add column region int";
      passNotReplayableDdl(t, cli, doBlock, "'" + byHand + "'", byHand);

      String function = "select add_zone(); insert into branches values (2002, 0, 'f', 3, 4)";
      passNotReplayableDdl(t, cli, function, "'alter table branches add column zone int'",
          "alter table branches add column zone int");
    }
  }

  /**
   * Runs {@code sql} on the source: both replicas stop at its GTID naming the DDL; the DBA runs
   * {@code byHand} on each, runs Ferry with {@code skip-ddl: true} until they converge, then without.
   */
  private void passNotReplayableDdl(Topology t, FerryCli cli, String sql, String reportedDdl, String byHand)
      throws Exception {
    Path log = dir.resolve("run-" + System.nanoTime() + ".log");
    Process run = t.startStreaming(cli, log);
    psql(t, sql);
    String gtid = awaitStops(log, "pg", reportedDdl);
    assertThat(awaitStops(log, "lite", reportedDdl)).isEqualTo(gtid);
    assertThat(Files.readString(log)).contains("it ran inside: '" + sql)
        .contains("Run the equivalent DDL on this replica by hand, then set skip-ddl: true for this replica and "
            + "restart until it has applied " + gtid);
    assertThat(t.differences()).isNotEmpty();
    stop(run);

    try (Connection pg = DriverManager.getConnection(t.pgReplicaUrl); Statement st = pg.createStatement()) {
      st.execute("SET default_transaction_read_only = off");
      st.execute(byHand);
    }
    try (Connection lite = t.liteReplica.connect(); Statement st = lite.createStatement()) {
      st.execute(byHand);
    }
    String config = Files.readString(t.config);
    String skipping = config.replace("\n    url: ", "\n    skip-ddl: true\n    url: ");
    assertThat(skipping).contains("skip-ddl: true\n    url: " + t.pgReplicaUrl)
        .contains("skip-ddl: true\n    url: " + t.liteReplica.jdbcUrl());
    Files.writeString(t.config, skipping);
    run = cli.start(log, "run", "-c", t.config.toString());
    assertThat(t.awaitEqual(Duration.ofSeconds(180))).as("differences; log: %s", Files.readString(log)).isEmpty();
    assertThat(Files.readString(log)).contains("skipping DDL (skip-ddl is set)");
    stop(run);
    Files.writeString(t.config, config);
  }

  private static String awaitStops(Path log, String replica, String reportedDdl) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log)) {
        Matcher m = STOP.matcher(line);
        if (m.find() && m.group(1).equals(replica)) {
          assertThat(line).contains("the DDL: " + reportedDdl);
          return m.group(2);
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError("replica " + replica + " did not stop on the DDL; log: " + Files.readString(log));
  }

  private static void stop(Process run) throws InterruptedException {
    if (run.isAlive()) {
      FerryCli.terminate(run, Duration.ofSeconds(60));
    }
  }

  private static void psql(Topology t, String sql) throws Exception {
    Psql.command(t.primary, "bank", sql);
  }
}
