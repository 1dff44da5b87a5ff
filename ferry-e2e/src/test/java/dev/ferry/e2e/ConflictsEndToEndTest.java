package dev.ferry.e2e;

import static dev.ferry.e2e.Sql.execute;
import static dev.ferry.e2e.Sql.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry conflicts} through the real {@code bin/ferry}, while {@code ferry run} applies to a
 * read-only PostgreSQL replica ({@code conflicts: overwrite}) that met three conflicts: listed and
 * filtered from the configuration's targets and with {@code --url} through the admin API, shown,
 * resolved once each (the second time refused: exit 1, 409), an unknown id refused (404), bad input
 * refused (400); the resolutions are written on the read-only replica while a plain role's write
 * there is still refused and its read-only default still on. And {@code ferry skip}: a replica
 * stopped on a conflict ({@code conflicts: stop}) goes past that one transaction, recorded, and streams
 * on after a restart; or, with {@code --url}, through the running node, which applies it on at once
 * and keeps the skip across a kill -9.
 */
@Timeout(600)
class ConflictsEndToEndTest {
  private static final String TOKEN = "e2e-conflicts-token";
  private static final Duration LONG = Duration.ofSeconds(120);
  @TempDir Path dir;

  @Test
  void conflictsAreListedShownAndResolvedOnceLocallyAndThroughTheApiOfANodeWithAReadOnlyReplica() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      execute(t.pgReplicaUrl, "CREATE ROLE app LOGIN", "GRANT SELECT, UPDATE ON accounts TO app");
      int port = NodeHttp.freePort();
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .replicaWithConflicts("pg", t.pgReplicaUrl, "overwrite").http("127.0.0.1:" + port, Optional.of(TOKEN))
          .writeTo(dir.resolve("conflicts.yaml"));
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      NodeHttp node = new NodeHttp(port, Optional.of(TOKEN));
      node.awaitReplicas("streaming", LONG);
      t.load();
      t.awaitPgEqual(LONG);
      makeThreeConflicts(t);
      t.awaitPgEqual(LONG);
      node.awaitConflicts("pg", 3, LONG);

      String c = config.toString();
      FerryCli.Result all = cli.run(LONG, "conflicts", "-c", c);
      assertThat(all.exitCode()).as(all.all()).isZero();
      assertThat(all.stdout().lines().count()).as(all.stdout()).isEqualTo(4);
      assertThat(all.stdout()).contains("REPLICA", "update_missing", "delete_missing", "public.accounts", "(id=43)");
      JsonNode deletes = json(cli.run(LONG, "conflicts", "-c", c, "--type", "delete_missing", "--json"));
      assertThat(deletes.size()).isOne();
      assertThat(deletes.get(0).path("key").asString()).isEqualTo("(id=43)");
      assertThat(json(cli.run(LONG, "conflicts", "-c", c, "--replica", "pg", "--since", "1h", "--json")).size())
          .isEqualTo(3);
      assertThat(cli.run(LONG, "conflicts", "-c", c, "--since", Instant.now().plusSeconds(3600).toString()).stdout())
          .contains("no conflicts");
      assertThat(json(cli.run(LONG, "conflicts", "-c", c, "--table", "public.history", "--json")).size()).isZero();
      assertThat(json(cli.run(LONG, "conflicts", "-c", c, "--limit", "1", "--json")).size()).isOne();

      JsonNode updates = json(cli.run(LONG, "conflicts", "-c", c, "--type", "update_missing", "--json"));
      long first = updates.get(0).path("id").asLong();
      long second = updates.get(1).path("id").asLong();
      long third = deletes.get(0).path("id").asLong();
      FerryCli.Result show = cli.run(LONG, "conflicts", "show", String.valueOf(first), "-c", c);
      assertThat(show.exitCode()).as(show.all()).isZero();
      assertThat(show.stdout()).contains("conflict " + first + " of replica pg", "remote row  (id=", "done        inserted",
          "resolved    no");
      resolvesLocallyOnce(cli, c, first);
      resolvesThroughTheApiOnce(cli, node, second, third);
      assertThat(json(cli.run(LONG, "conflicts", "-c", c, "--unresolved", "--json")).size()).isZero();
      assertThat(node.json("/api/conflicts?replica=pg&resolved=true").size()).isEqualTo(3);
      aPlainRoleIsStillRefused(t.pgReplicaUrl);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aReplicaStoppedOnAConflictSkipsThatOneTransactionRecordedAndGoesOnAfterARestart() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .replica("pg", t.pgReplicaUrl).writeTo(dir.resolve("skip.yaml"));
      String c = config.toString();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", c);
      Status.awaitReplicaState(cli, config, "pg", "streaming", LONG);
      t.load();
      t.awaitPgEqual(LONG);
      try (Connection r = DriverManager.getConnection(t.pgReplicaUrl); Statement st = r.createStatement()) {
        st.execute("SET session_replication_role = replica");
        st.execute("SET default_transaction_read_only = off");
        st.execute("DELETE FROM accounts WHERE id = 5");
      }
      execute(t.primaryUrl, "UPDATE accounts SET balance = balance + 1 WHERE id = 5",
          "UPDATE accounts SET owner = 'after the skip' WHERE id = 7");
      JsonNode pg = Status.replica(Status.awaitReplicaState(cli, config, "pg", "failed", LONG), "pg");
      assertThat(pg.path("lastError").asString()).contains("not found for UPDATE (update_missing)");
      JsonNode stopped = json(cli.run(LONG, "conflicts", "-c", c, "--type", "update_missing", "--json"));
      assertThat(stopped.size()).isOne();
      assertThat(stopped.get(0).path("resolution").asString()).isEqualTo("stopped");
      String gtid = stopped.get(0).path("gtid").asString();
      assertThat(pg.path("lastError").asString()).contains(gtid);

      FerryCli.Result whileRunning = cli.run(LONG, "skip", "-c", c, "--replica", "pg", "--gtid", gtid);
      assertThat(whileRunning.exitCode()).as(whileRunning.all()).isEqualTo(1);
      assertThat(whileRunning.stderr()).contains("is held by a running process", "journal.lock");
      FerryCli.terminate(run, Duration.ofSeconds(60));

      String[] parts = gtid.split("-");
      String later = parts[0] + "-" + parts[1] + "-" + (Long.parseLong(parts[2]) + 1);
      FerryCli.Result notNext = cli.run(LONG, "skip", "-c", c, "--replica", "pg", "--gtid", later);
      assertThat(notNext.exitCode()).as(notNext.all()).isEqualTo(1);
      assertThat(notNext.stderr()).contains(later + " is not the next transaction replica pg would apply: that is "
          + gtid);
      FerryCli.Result malformed = cli.run(LONG, "skip", "-c", c, "--replica", "pg", "--gtid", "five");
      assertThat(malformed.exitCode()).isEqualTo(2);
      FerryCli.Result skip = cli.run(LONG, "skip", "-c", c, "--replica", "pg", "--gtid", gtid, "--note",
          "row 5 was removed on the replica on purpose");
      assertThat(skip.exitCode()).as(skip.all()).isZero();
      assertThat(skip.stdout()).contains("replica pg skipped " + gtid + " (1 change(s) to public.accounts, not applied)");

      JsonNode skipped = json(cli.run(LONG, "conflicts", "-c", c, "--type", "skipped", "--json"));
      assertThat(skipped.size()).isOne();
      assertThat(skipped.get(0).path("gtid").asString()).isEqualTo(gtid);
      assertThat(skipped.get(0).path("resolvedBy").asString()).isEqualTo(System.getProperty("user.name"));
      assertThat(skipped.get(0).path("resolutionNote").asString()).isEqualTo("row 5 was removed on the replica on purpose");
      assertThat(cli.run(LONG, "conflicts", "-c", c).stdout()).contains("skipped", "stopped");

      run = cli.start(dir.resolve("run2.log"), "run", "-c", c);
      Status.awaitReplicaState(cli, config, "pg", "streaming", LONG);
      execute(t.primaryUrl, "UPDATE accounts SET owner = 'streaming again' WHERE id = 8");
      awaitOwner(t.pgReplicaUrl, 8, "streaming again");
      assertThat(scalar(t.pgReplicaUrl, "SELECT owner FROM accounts WHERE id = 7")).isEqualTo("after the skip");
      assertThat(scalar(t.pgReplicaUrl, "SELECT count(*) FROM accounts WHERE id = 5")).as("skipped, not applied")
          .isEqualTo("0");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aReplicaStoppedOnAConflictIsSkippedThroughTheRunningNodeGoesOnAndKeepsTheSkipAcrossAKillNine()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int port = NodeHttp.freePort();
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .replica("pg", t.pgReplicaUrl).http("127.0.0.1:" + port, Optional.of(TOKEN))
          .writeTo(dir.resolve("skip-url.yaml"));
      String c = config.toString();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", c);
      NodeHttp node = new NodeHttp(port, Optional.of(TOKEN));
      node.awaitReplicas("streaming", LONG);
      t.load();
      t.awaitPgEqual(LONG);
      // the same row inserted on the replica alone first: the replica then equals the primary without it
      String row = "INSERT INTO accounts (id, owner, balance, active, opened_at) VALUES (9001, 'twice', 0, true,"
          + " '2026-01-01 00:00:00')";
      execute(t.pgReplicaUrl, "SET session_replication_role = replica", "SET default_transaction_read_only = off", row);
      execute(t.primaryUrl, row, "UPDATE accounts SET owner = 'after the skip' WHERE id = 7");
      JsonNode pg = Status.replica(node.awaitReplicas("failed", LONG), "pg");
      Map<String, String> token = Map.of("FERRY_TOKEN", TOKEN);
      String url = node.base();
      JsonNode stopped = json(cli.run(LONG, token, "conflicts", "--url", url, "--type", "insert_exists", "--json"));
      assertThat(stopped.size()).as("%s", pg).isOne();
      String gtid = stopped.get(0).path("gtid").asString();
      assertThat(pg.path("lastError").asString()).contains(gtid);

      FerryCli.Result local = cli.run(LONG, "skip", "-c", c, "--replica", "pg", "--gtid", gtid);
      assertThat(local.exitCode()).as(local.all()).isEqualTo(1);
      assertThat(local.stderr()).contains("is held by a running process", "journal.lock",
          "skip through it with 'ferry skip --url " + url + " --replica pg --gtid " + gtid + "'");
      skipRefusals(cli, url, gtid);
      FerryCli.Result skip = cli.run(LONG, token, "skip", "--url", url, "--replica", "pg", "--gtid", gtid, "--note",
          "row 9001 was there already");
      assertThat(skip.exitCode()).as(skip.all()).isZero();
      assertThat(skip.stdout()).contains("replica pg skipped " + gtid + " (1 change(s) to public.accounts, not applied)");

      node.awaitReplicas("streaming", LONG);
      awaitOwner(t.pgReplicaUrl, 7, "after the skip");
      assertThat(run.isAlive()).as("the node kept running").isTrue();
      assertThat(scalar(t.pgReplicaUrl, "SELECT owner FROM accounts WHERE id = 9001")).isEqualTo("twice");
      FerryCli.Result again = cli.run(LONG, token, "skip", "--url", url, "--replica", "pg", "--gtid", gtid);
      assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
      assertThat(again.stderr()).contains("replica pg is streaming, not stopped on an error", "answered 409");
      assertSkippedOnce(cli, token, url, gtid);

      t.transfers(200);
      FerryCli.kill9(run);
      run = cli.start(dir.resolve("run2.log"), "run", "-c", c);
      node.awaitReplicas("streaming", LONG);
      t.transfers(20);
      t.awaitPgEqual(LONG); // nothing lost or applied twice (balances), the skipped insert not tried again
      assertThat(node.json("/api/status").path("replicas").get(0).path("state").asString()).isEqualTo("streaming");
      assertSkippedOnce(cli, token, url, gtid);
      assertThat(scalar(t.pgReplicaUrl, "SELECT count(*) FROM _ferry.conflicts")).as("the stop and the skip")
          .isEqualTo("2");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** A GTID that is not the next one, an unknown replica and a missing token: refused by the node, nothing done. */
  private static void skipRefusals(FerryCli cli, String url, String gtid) throws Exception {
    Map<String, String> token = Map.of("FERRY_TOKEN", TOKEN);
    String[] parts = gtid.split("-");
    String later = parts[0] + "-" + parts[1] + "-" + (Long.parseLong(parts[2]) + 1);
    FerryCli.Result notNext = cli.run(LONG, token, "skip", "--url", url, "--replica", "pg", "--gtid", later);
    assertThat(notNext.exitCode()).as(notNext.all()).isEqualTo(1);
    assertThat(notNext.stderr()).contains(later + " is not the next transaction replica pg would apply: that is "
        + gtid, "answered 409");
    FerryCli.Result unknown = cli.run(LONG, token, "skip", "--url", url, "--replica", "nope", "--gtid", gtid);
    assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("no replica named 'nope'", "answered 404");
    FerryCli.Result noToken = cli.run(LONG, "skip", "--url", url, "--replica", "pg", "--gtid", gtid);
    assertThat(noToken.exitCode()).isEqualTo(1);
    assertThat(noToken.stderr()).contains("answered 401: set FERRY_TOKEN");
    FerryCli.Result malformed = cli.run(LONG, token, "skip", "--url", url, "--replica", "pg", "--gtid", "five");
    assertThat(malformed.exitCode()).isEqualTo(2);
  }

  private static void assertSkippedOnce(FerryCli cli, Map<String, String> token, String url, String gtid)
      throws Exception {
    JsonNode skipped = json(cli.run(LONG, token, "conflicts", "--url", url, "--type", "skipped", "--json"));
    assertThat(skipped.size()).as("%s", skipped).isOne();
    assertThat(skipped.get(0).path("gtid").asString()).isEqualTo(gtid);
    assertThat(skipped.get(0).path("resolvedBy").asString()).isEqualTo(System.getProperty("user.name"));
    assertThat(skipped.get(0).path("resolutionNote").asString()).isEqualTo("row 9001 was there already");
  }

  private static void awaitOwner(String url, long id, String owner) throws Exception {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!owner.equals(scalar(url, "SELECT owner FROM accounts WHERE id = " + id))) {
      assertThat(System.nanoTime()).as("account %d's owner %s on the replica", id, owner).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** Rows 3, 23 and 43 deleted on the replica alone, then updated (3, 23) and deleted (43) on the primary. */
  private static void makeThreeConflicts(Topology t) throws SQLException {
    try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
      st.execute("SET session_replication_role = replica"); // a local write Ferry's guards let through
      st.execute("SET default_transaction_read_only = off");
      st.execute("DELETE FROM accounts WHERE id IN (3, 23, 43)");
    }
    execute(t.primaryUrl, "UPDATE accounts SET balance = balance + 0 WHERE id IN (3, 23)",
        "DELETE FROM accounts WHERE id = 43");
  }

  private static void resolvesLocallyOnce(FerryCli cli, String config, long id) throws Exception {
    FerryCli.Result resolve = cli.run(LONG, "conflicts", "resolve", String.valueOf(id), "-c", config, "--replica", "pg",
        "--note", "row checked against the source");
    assertThat(resolve.exitCode()).as(resolve.all()).isZero();
    assertThat(resolve.stdout()).contains("conflict " + id + " of replica pg resolved at");
    FerryCli.Result again = cli.run(LONG, "conflicts", "resolve", String.valueOf(id), "-c", config);
    assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
    assertThat(again.stderr()).contains("conflict " + id + " of replica pg was resolved at", "by "
        + System.getProperty("user.name"));
    FerryCli.Result unknown = cli.run(LONG, "conflicts", "show", "987654", "-c", config);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("replica pg recorded no conflict 987654");
    FerryCli.Result bad = cli.run(LONG, "conflicts", "-c", config, "--type", "bogus");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("unknown conflict type 'bogus'");
  }

  private static void resolvesThroughTheApiOnce(FerryCli cli, NodeHttp node, long second, long third) throws Exception {
    Map<String, String> token = Map.of("FERRY_TOKEN", TOKEN);
    String url = node.base();
    JsonNode remote = json(cli.run(LONG, token, "conflicts", "--url", url, "--json"));
    assertThat(remote.size()).isEqualTo(3);
    assertThat(remote.values().stream().filter(x -> !x.path("resolvedBy").isNull())
        .map(x -> x.path("resolvedBy").asString()).toList()).containsExactly(System.getProperty("user.name"));
    assertThat(json(cli.run(LONG, token, "conflicts", "--url", url, "--unresolved", "--json")).size()).isEqualTo(2);
    FerryCli.Result resolve = cli.run(LONG, token, "conflicts", "resolve", String.valueOf(second), "--url", url,
        "--replica", "pg", "--note", "through the API");
    assertThat(resolve.exitCode()).as(resolve.all()).isZero();
    FerryCli.Result again = cli.run(LONG, token, "conflicts", "resolve", String.valueOf(second), "--url", url);
    assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
    assertThat(again.stderr()).contains("was resolved at", "answered 409");
    FerryCli.Result unknown = cli.run(LONG, token, "conflicts", "show", "987654", "--url", url);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("replica pg recorded no conflict 987654", "answered 404");
    FerryCli.Result noToken = cli.run(LONG, "conflicts", "--url", url);
    assertThat(noToken.exitCode()).isEqualTo(1);
    assertThat(noToken.stderr()).contains("answered 401: set FERRY_TOKEN");
    JsonNode shown = json(cli.run(LONG, token, "conflicts", "show", String.valueOf(second), "--url", url, "--json"));
    assertThat(shown.path("resolutionNote").asString()).isEqualTo("through the API");

    for (Optional<String> refused : List.of(Optional.<String>empty(), Optional.of("wrong"))) {
      HttpResponse<String> r = node.withToken(refused).post("/api/conflicts/" + third + "/resolve?replica=pg");
      assertThat(r.statusCode()).as("without the right token").isEqualTo(401);
    }
    HttpResponse<String> byApi = node.post("/api/conflicts/" + third + "/resolve?replica=pg&note=gone%20anyway&by=ops");
    assertThat(byApi.statusCode()).as(byApi.body()).isEqualTo(200);
    assertThat(NodeHttp.parse(byApi.body()).path("resolvedBy").asString()).isEqualTo("ops");
    assertThat(NodeHttp.parse(byApi.body()).path("resolutionNote").asString()).isEqualTo("gone anyway");
    assertError(node.post("/api/conflicts/" + third + "/resolve?replica=pg"), 409, "was resolved at");
    assertError(node.post("/api/conflicts/987654/resolve?replica=pg"), 404, "replica pg recorded no conflict 987654");
    assertError(node.post("/api/conflicts/abc/resolve"), 400, "conflict id 'abc' is not a number");
    assertError(node.post("/api/conflicts/" + third + "/resolve?colour=red"), 400, "unknown query parameter 'colour'");
    assertError(node.get("/api/conflicts/" + third + "/resolve"), 405, "use POST");
    assertError(node.get("/api/conflicts?since=yesterday"), 400, "since 'yesterday' is neither a time");
    assertError(node.get("/api/conflicts?resolved=maybe"), 400, "resolved 'maybe' is neither true nor false");
    assertThat(node.json("/api/conflicts?since=2020-01-01T00:00:00Z").size()).isEqualTo(3);
  }

  private static void aPlainRoleIsStillRefused(String replicaUrl) throws SQLException {
    String asApp = replicaUrl.replace("user=postgres", "user=app");
    for (String prefix : new String[] {"SELECT 1", "SET default_transaction_read_only = off"}) {
      assertThatThrownBy(() -> execute(asApp, prefix, "UPDATE accounts SET balance = balance WHERE id = 1"))
          .as(prefix).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }
    assertThat(scalar(asApp, "SHOW default_transaction_read_only")).as("the database default, for app").isEqualTo("on");
    assertThat(scalar(replicaUrl, "SELECT count(*) FROM _ferry.conflicts WHERE resolved_at IS NOT NULL")).isEqualTo("3");
  }

  private static JsonNode json(FerryCli.Result r) {
    assertThat(r.exitCode()).as(r.all()).isZero();
    return NodeHttp.parse(r.stdout());
  }

  private static void assertError(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(NodeHttp.parse(r.body()).path("error").asString()).contains(message);
  }
}
