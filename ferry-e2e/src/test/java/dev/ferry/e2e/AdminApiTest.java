package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The admin API of a real {@code bin/ferry run} (PostgreSQL to PostgreSQL) listening on every
 * interface with a token: 401 without it or with another, the status document (also through
 * {@code ferry status --url}), suspend and resume of a replica, the conflicts its target recorded,
 * the skip of a replica that is not stopped refused (409; the skip itself: {@link ConflictsEndToEndTest}),
 * and a clear 4xx JSON error for each kind of bad input.
 */
@Timeout(300)
class AdminApiTest {
  private static final String TOKEN = "e2e-admin-token";
  @TempDir Path dir;

  @Test
  void everyEndpointAnswersWithTheTokenOnlyAndRefusesBadInputClearly() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int port = NodeHttp.freePort();
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .serveHttp("0.0.0.0:" + port, TOKEN) // one server: the journal's segments beside the API
          .replicaWithConflicts("pg", t.pgReplicaUrl, "overwrite").http("0.0.0.0:" + port, Optional.of(TOKEN))
          .writeTo(dir.resolve("admin.yaml"));
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      NodeHttp node = new NodeHttp(port, Optional.of(TOKEN));
      node.awaitReplicas("streaming", Duration.ofSeconds(90));
      refusesWithoutTheRightToken(node);
      statusLocallyAndThroughFerryStatusUrl(node, cli);
      refusesBadInput(node);
      t.load();
      t.awaitPgEqual(Duration.ofSeconds(120));
      suspendHoldsTheReplicaUntilResumed(node, t, cli);
      tagsAreWrittenThroughTheApiAndFerryTagUrl(node, cli, dir.resolve("journal"));
      conflictsAreListedFilteredAndShown(node, t);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aServerReachableFromOtherMachinesWithoutATokenDoesNotStart() throws Exception {
    try (FerryCli cli = new FerryCli(dir)) {
      Path config = dir.resolve("open.yaml");
      FerryYaml.source("jdbc:postgresql://127.0.0.1:1/none", dir.resolve("journal"))
          .replica("r1", "jdbc:postgresql://127.0.0.1:1/other").http("0.0.0.0:8451", Optional.empty()).writeTo(config);
      FerryCli.Result r = cli.run(Duration.ofSeconds(60), "run", "-c", config.toString());
      assertThat(r.exitCode()).isNotZero();
      assertThat(r.stderr()).contains("http.listen: '0.0.0.0:8451' is reachable from other machines: set http.token");
    }
  }

  private static void refusesWithoutTheRightToken(NodeHttp node) throws Exception {
    for (NodeHttp other : new NodeHttp[] {node.withToken(Optional.empty()), node.withToken(Optional.of("wrong"))}) {
      for (String path : new String[] {"/api/status", "/api/history", "/metrics", "/api/conflicts?replica=pg", "/api/conflicts/1",
          "/segments.list"}) {
        HttpResponse<String> r = other.get(path);
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(401);
        assertThat(r.body()).isEmpty();
      }
      assertThat(other.post("/api/replicas/pg/suspend").statusCode()).isEqualTo(401);
      assertThat(other.post("/api/replicas/pg/skip?gtid=0-1-1").statusCode()).isEqualTo(401);
      assertThat(other.post("/api/tag?name=refused").statusCode()).isEqualTo(401);
    }
    assertThat(node.json("/api/status").path("replicas").get(0).path("state").asString())
        .as("not suspended by a refused request").isEqualTo("streaming");
    assertThat(node.get("/segments.list").statusCode()).as("the journal served by the same server").isEqualTo(200);
    HttpResponse<String> page = node.withToken(Optional.empty()).get("/");
    assertThat(page.statusCode()).as("the dashboard page holds no data: served without the token").isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("get(\"/api/status\")").contains("Authorization");
  }

  private static void statusLocallyAndThroughFerryStatusUrl(NodeHttp node, FerryCli cli) throws Exception {
    JsonNode api = node.json("/api/status");
    assertThat(api.path("source").path("name").asString()).isEqualTo("primary");
    assertThat(api.path("journal").path("id").asString()).isNotEmpty();
    FerryCli.Result remote = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "status", "--url",
        node.base(), "--json");
    assertThat(remote.exitCode()).as(remote.all()).isZero();
    JsonNode viaCli = NodeHttp.parse(remote.stdout());
    assertThat(viaCli.path("journal").path("id").asString()).isEqualTo(api.path("journal").path("id").asString());
    assertThat(Status.replica(viaCli, "pg").path("state").asString()).isEqualTo("streaming");
    FerryCli.Result text = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "status", "--url",
        node.base());
    assertThat(text.stdout()).contains("pg");
    // Sampled every 2 s on its own thread: the first sample may precede the replica's start.
    JsonNode history = Await.until("a history sample naming pg", Duration.ofSeconds(30), () -> node.json("/api/history"),
        h -> h.path("samples").size() > 0 && h.path("samples").get(h.path("samples").size() - 1).path("replicas")
            .path(0).path("name").asString("").equals("pg"));
    assertThat(history.path("intervalSeconds").asLong()).isEqualTo(2);
    JsonNode sample = history.path("samples").get(history.path("samples").size() - 1);
    assertThat(sample.path("time").asString()).isNotEmpty();
    assertThat(sample.path("replicas").get(0).path("name").asString()).isEqualTo("pg");
    FerryCli.Result refused = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", "wrong"), "status", "--url",
        node.base());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).contains("answered 401: set FERRY_TOKEN to the node's http.token");
  }

  private static void refusesBadInput(NodeHttp node) throws Exception {
    assertError(node.post("/api/replicas/nope/suspend"), 404, "no replica named 'nope' in this node; it applies [pg]");
    assertError(node.get("/api/replicas/pg/suspend"), 405, "use POST");
    assertError(node.post("/api/status"), 405, "use GET");
    assertError(node.post("/api/history"), 405, "use GET");
    assertError(node.get("/api/conflicts?type=bogus"), 400,
        "unknown conflict type 'bogus'; the types are [insert_exists, update_exists, update_missing");
    assertError(node.get("/api/conflicts?limit=abc"), 400, "limit 'abc' is not a number");
    assertError(node.get("/api/conflicts?limit=5000"), 400, "limit 5000 is out of range 1..1000");
    assertError(node.get("/api/conflicts?replica=nope"), 404, "no replica named 'nope'");
    assertError(node.get("/api/conflicts?colour=red"), 400, "unknown query parameter 'colour'");
    assertError(node.get("/api/conflicts/abc"), 400, "conflict id 'abc' is not a number");
    assertError(node.get("/api/nothing"), 404, "no such API path /api/nothing");
    assertError(node.post("/api/replicas/nope/skip?gtid=0-1-5"), 404, "no replica named 'nope' in this node");
    assertError(node.post("/api/replicas/pg/skip"), 400, "give the GTID to skip: ?gtid=DOMAIN-SERVER-SEQ");
    assertError(node.post("/api/replicas/pg/skip?gtid=five"), 400, "not a GTID (expected domain-serverId-seq): 'five'");
    assertError(node.post("/api/replicas/pg/skip?gtid=0-1-5&colour=red"), 400, "unknown query parameter 'colour'");
    assertError(node.get("/api/replicas/pg/skip?gtid=0-1-5"), 405, "use POST");
    assertError(node.post("/api/tag"), 400, "give the tag's name: ?name=NAME");
    assertError(node.post("/api/tag?name=two%20words"), 400, "tag name 'two words' is not valid");
    assertError(node.post("/api/tag?name=x&colour=red"), 400, "unknown query parameter 'colour'; give name");
    assertError(node.get("/api/tag?name=x"), 405, "use POST");
    assertError(node.post("/api/replicas/pg/skip?gtid=0-1-5"), 409,
        "replica pg is streaming, not stopped on an error (failed): only a failed replica can skip");
  }

  private static void suspendHoldsTheReplicaUntilResumed(NodeHttp node, Topology t, FerryCli cli) throws Exception {
    HttpResponse<String> r = node.post("/api/replicas/pg/suspend");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(NodeHttp.parse(r.body()).path("suspended").asBoolean()).isTrue();
    node.awaitReplicas("suspended", Duration.ofSeconds(30));
    long before = count(t.pgReplicaUrl, "history");
    try (WorkloadRunner workload = t.workload(181)) {
      workload.awaitCommitted(100, Duration.ofSeconds(60));
      workload.stop();
    }
    Thread.sleep(1500);
    assertThat(count(t.pgReplicaUrl, "history")).as("nothing applied while suspended").isEqualTo(before);
    // The lag counts what capture has journaled, which may still be behind the source's commits.
    JsonNode pg = Await.until("pg's lag reaching the 100 transactions committed meanwhile", Duration.ofSeconds(60),
        () -> Status.replica(node.json("/api/status"), "pg"), p -> p.path("lag").path("transactions").asLong() >= 100);
    assertThat(pg.path("state").asString()).isEqualTo("suspended");
    assertThat(node.metrics().get("ferry_replica_state{replica=\"pg\",state=\"suspended\"}")).isEqualTo(1.0);
    FerryCli.Result unknown = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "resume", "nope", "--url",
        node.base());
    assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("no replica named 'nope' in this node; it applies [pg]");
    FerryCli.Result resume = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "resume", "pg", "--url",
        node.base());
    assertThat(resume.exitCode()).as(resume.all()).isZero();
    assertThat(resume.stdout()).contains("replica pg resumed");
    node.awaitReplicas("streaming", Duration.ofSeconds(30));
    t.awaitPgEqual(Duration.ofSeconds(120));
    FerryCli.Result suspend = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "suspend", "pg", "--url",
        node.base());
    assertThat(suspend.exitCode()).as(suspend.all()).isZero();
    node.awaitReplicas("suspended", Duration.ofSeconds(30));
    assertThat(node.post("/api/replicas/pg/resume").statusCode()).isEqualTo(200);
    node.awaitReplicas("streaming", Duration.ofSeconds(30));
  }

  /** A tag through the API and one through ferry tag --url: each committed on the source and journaled. */
  private static void tagsAreWrittenThroughTheApiAndFerryTagUrl(NodeHttp node, FerryCli cli, Path journal)
      throws Exception {
    HttpResponse<String> r = node.post("/api/tag?name=api-tag");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(NodeHttp.parse(r.body()).path("at").asString()).matches("[0-9A-F]+/[0-9A-F]+");
    FerryCli.Result tag = cli.run(Duration.ofSeconds(60), Map.of("FERRY_TOKEN", TOKEN), "tag", "cli-tag", "--url",
        node.base());
    assertThat(tag.exitCode()).as(tag.all()).isZero();
    assertThat(tag.stdout()).contains("tag cli-tag written to the source of " + node.base() + " at ");
    String api = OperatorControlsTest.awaitTag(cli, journal, "api-tag");
    String viaCli = OperatorControlsTest.awaitTag(cli, journal, "cli-tag");
    assertThat(seq(viaCli)).as("in the order written: %s then %s", api, viaCli).isGreaterThan(seq(api));
  }

  private static void conflictsAreListedFilteredAndShown(NodeHttp node, Topology t) throws Exception {
    try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
      st.execute("SET session_replication_role = replica"); // a local write Ferry's guards let through
      st.execute("SET default_transaction_read_only = off");
      st.execute("DELETE FROM accounts WHERE id % 20 = 3");
    }
    int updated;
    try (Connection c = DriverManager.getConnection(t.primaryUrl); Statement st = c.createStatement()) {
      updated = st.executeUpdate("UPDATE accounts SET balance = balance + 0 WHERE id % 20 = 3");
    }
    assertThat(updated).isPositive();
    t.awaitPgEqual(Duration.ofSeconds(120)); // overwrite: the rows follow the source again
    JsonNode list = node.awaitConflicts("pg", updated, Duration.ofSeconds(60));
    assertThat(list.size()).as("one conflict per row the source updated: %s", list).isEqualTo(updated);
    JsonNode first = list.get(0);
    assertThat(first.path("type").asString()).isEqualTo("update_missing");
    assertThat(first.path("table").asString()).isEqualTo("public.accounts");
    assertThat(first.path("replica").asString()).isEqualTo("pg");
    JsonNode one = node.json("/api/conflicts/" + first.path("id").asLong() + "?replica=pg");
    assertThat(one).isEqualTo(first);
    assertThat(one.path("remoteRow").asString()).isNotEmpty();
    assertThat(node.json("/api/conflicts/" + first.path("id").asLong())).as("the only replica").isEqualTo(first);
    assertThat(node.json("/api/conflicts?type=update_missing&table=public.accounts&limit=1000").size())
        .isEqualTo(list.size());
    assertThat(node.json("/api/conflicts?table=public.history")).isEmpty();
    assertThat(node.json("/api/conflicts?type=delete_missing")).isEmpty();
    assertThat(node.json("/api/conflicts?limit=1").size()).isEqualTo(1);
    assertError(node.get("/api/conflicts/987654321?replica=pg"), 404, "replica pg recorded no conflict 987654321");
    Await.untilAsserted(Duration.ofSeconds(30), () -> assertThat(
        node.metrics().get("ferry_replica_conflicts_total{replica=\"pg\",type=\"update_missing\"}"))
        .isEqualTo((double) list.size()));
  }

  private static void assertError(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(NodeHttp.parse(r.body()).path("error").asString()).contains(message);
  }

  private static long count(String url, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long seq(String gtid) {
    return Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
  }
}
