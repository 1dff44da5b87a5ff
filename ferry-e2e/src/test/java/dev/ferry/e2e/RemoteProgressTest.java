package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 18: a DBA watching a running {@code bin/ferry run} from elsewhere (its admin API, and
 * {@code ferry status --json}) sees a replica that was suspended while the source wrote catch up
 * with its rates and an ETA that vanish once it is caught up, and a {@code ferry table add} that
 * another process runs beside the node with its rows, rate and ETA while it copies, gone once it
 * is done; the dashboard shows the operation too. Both are slowed on the replica (a trigger sleeps
 * per row) so that they last.
 */
@Timeout(480)
class RemoteProgressTest {
  private static final int WRITES = 2_500;
  private static final int BIG_ROWS = 20_000;

  @TempDir Path dir;

  @Test
  void aCatchUpAndATableAddShowTheirProgressThroughTheRunningNodesApiWhileTheyLast() throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster replica = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String target = replica.createDatabase("app");
      Sql.execute(source, "CREATE TABLE ledger (id int PRIMARY KEY, amount bigint NOT NULL)");
      NodeHttp node = new NodeHttp(NodeHttp.freePort(), Optional.empty());
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("r1", target)
          .http(node.base().substring("http://".length()), Optional.empty()).writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      node.awaitReplicas("streaming", Duration.ofSeconds(120));
      Sql.execute(target, Sql.slowWrites("ledger", "0.01"));

      assertThat(node.post("/api/replicas/r1/suspend").statusCode()).isEqualTo(200);
      node.awaitReplicas("suspended", Duration.ofSeconds(30));
      write(source, WRITES);
      awaitReplica(node, run, log, "r1 behind by all the writes",
          r -> r.path("lag").path("transactions").asLong() >= WRITES, Duration.ofSeconds(60));
      assertThat(node.post("/api/replicas/r1/resume").statusCode()).isEqualTo(200);
      // 10 ms a row: the backlog takes 25 s or more, past the estimator's window of 10 s.
      JsonNode gaining = awaitReplica(node, run, log, "r1 catching up with an ETA",
          r -> r.path("lag").path("transactions").asLong() >= 500
              && r.path("lag").path("catchUp").path("etaSeconds").isNumber(), Duration.ofSeconds(90));
      JsonNode catchUp = gaining.path("lag").path("catchUp");
      assertThat(catchUp.path("applyRate").asDouble()).as("%s", gaining)
          .isGreaterThan(catchUp.path("incomingRate").asDouble());
      assertThat(catchUp.path("etaSeconds").asLong()).as("%s", gaining).isPositive();
      Double eta = node.metrics().get("ferry_replica_catchup_eta_seconds{replica=\"r1\"}");
      assertThat(eta).as("/metrics: an ETA (or 0 if caught up since)").isNotNull().isNotNaN().isNotNegative();
      JsonNode local = Status.replica(Status.of(cli, config), "r1");
      if (local.path("lag").path("transactions").asLong() > 0) { // still behind when the command read the files
        assertThat(local.path("lag").path("catchUp").path("applyRate").isNumber()).as("ferry status --json: %s", local)
            .isTrue();
      }
      JsonNode caughtUp = awaitReplica(node, run, log, "r1 caught up",
          r -> r.path("lag").path("transactions").asLong() == 0, Duration.ofSeconds(180));
      assertThat(caughtUp.path("lag").path("catchUp").isNull()).as("no estimate once caught up: %s", caughtUp)
          .isTrue();
      // The gauge is read at the scrape, apart from the status read above: wait for it to say caught up too.
      Await.untilAsserted(Duration.ofSeconds(30), () -> assertThat(
          node.metrics().get("ferry_replica_catchup_eta_seconds{replica=\"r1\"}")).as("/metrics once caught up").isZero());

      Sql.execute(target, "SET default_transaction_read_only = off", "SET session_replication_role = replica",
          "DROP TRIGGER slow ON ledger");
      Sql.execute(source, "CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)",
          "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + BIG_ROWS + ") g", "ANALYZE big");
      awaitTable(target, "big", run, log);
      Sql.execute(target, Sql.slowWrites("big", "0.003")); // 60 s or more
      Process add = cli.start(dir.resolve("add.log"), "table", "add", "public.big", "-c", config.toString());
      JsonNode operation = awaitOperation(node, add, dir.resolve("add.log"));
      JsonNode progress = operation.path("progress");
      assertThat(operation.path("subject").asString()).isEqualTo("public.big");
      assertThat(operation.path("pid").asLong()).isPositive();
      assertThat(progress.path("operation").asString()).isEqualTo("table add");
      assertThat(progress.path("tables").asInt()).isEqualTo(1);
      assertThat(progress.path("rows").asLong()).isBetween(1L, BIG_ROWS - 1L);
      assertThat(progress.path("estimatedRows").asLong()).isGreaterThanOrEqualTo(progress.path("rows").asLong());
      assertThat(progress.path("rowsPerSecond").asLong()).isPositive();
      assertThat(progress.path("etaSeconds").isNumber()).as("an ETA from the source's estimate: %s", progress).isTrue();
      String page = Chromium.find(dir).dom(node.base() + "/", Duration.ofSeconds(8));
      assertThat(DashboardBrowserTest.shown(page, "operation", "table add", "progress")).as("the dashboard: %s", page)
          .matches("[01]/1 tables, [\\d,]+/[\\d,]+ rows \\(\\d+%\\), [\\d,]+ rows/s, ETA [\\d:?]+");
      JsonNode localOps = Status.of(cli, config).path("operations");
      assertThat(localOps.values().stream().map(o -> o.path("progress").path("operation").asString()))
          .as("ferry status --json, from the operation's status file: %s", localOps).contains("table add");

      assertThat(add.waitFor(240, TimeUnit.SECONDS)).as("table add ends").isTrue();
      assertThat(add.exitValue()).as(Files.readString(dir.resolve("add.log"))).isZero();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!node.json("/api/status").path("operations").isEmpty()) {
        assertThat(System.nanoTime()).as("the operation leaves the status once done").isLessThan(deadline);
        Thread.sleep(300);
      }
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** {@code n} transactions of one new row each (rows of their own: a group applies each, none merged). */
  private static void write(String url, int n) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("INSERT INTO ledger VALUES (?, 1)")) {
      for (int i = 1; i <= n; i++) {
        ps.setInt(1, i);
        ps.executeUpdate();
      }
    }
  }

  private static JsonNode awaitReplica(NodeHttp node, Process run, Path log, String what, Predicate<JsonNode> holds,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertThat(run.isAlive()).as("ferry run is running; log: %s", Files.readString(log)).isTrue();
      JsonNode r = Status.replica(node.json("/api/status"), "r1");
      if (holds.test(r)) {
        return r;
      }
      assertThat(System.nanoTime()).as("%s within %s: %s", what, timeout, r).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** Waits until the replicated CREATE TABLE has reached the replica. */
  private static void awaitTable(String url, String table, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Sql.scalar(url, "SELECT count(*) FROM pg_class WHERE relname = '" + table + "'").equals("0")) {
      assertThat(run.isAlive()).as("ferry run is running; log: %s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("table %s replicated within 60 s", table).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** The table add as the running node's API shows it, once its copy has counted rows. */
  private static JsonNode awaitOperation(NodeHttp node, Process add, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      assertThat(add.isAlive()).as("table add is running; its output: %s", Files.readString(log)).isTrue();
      JsonNode ops = node.json("/api/status").path("operations");
      for (JsonNode o : ops.values()) {
        if (o.path("progress").path("rows").asLong(0L) > 0) {
          return o;
        }
      }
      assertThat(System.nanoTime()).as("the API shows the copy's rows within 120 s: %s", ops).isLessThan(deadline);
      Thread.sleep(300);
    }
  }
}
