package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard of a real {@code bin/ferry run} (PostgreSQL to PostgreSQL, {@code http:} set) in a
 * real headless Chromium: with the replica suspended and transactions written after, the page's
 * topology shows the source, the journal's head and the replica suspended with its applied GTID
 * and its lag — the same values {@code /api/status} answers — and its lag chart holds the lag of
 * the minutes before the page was opened. Once resumed, the page shows the replica streaming with
 * no lag, and a conflict met meanwhile as resolved by whom; the replica's worker count. (Its initial
 * sync's progress on the page: {@link InitialSyncStopTest}.) A screenshot of the suspended moment is kept in {@code target/dashboard/}.
 */
@Timeout(300)
class DashboardBrowserTest {
  private static final Duration SCRIPTS = Duration.ofSeconds(8);
  private static final int WRITES = 40;
  @TempDir Path dir;

  @Test
  void thePageShowsTheTopologyPositionsAndLagTheApiAnswers() throws Exception {
    Chromium chromium = Chromium.find(dir);
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int port = NodeHttp.freePort();
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .replicaWithConflicts("pg", t.pgReplicaUrl, "overwrite").http("127.0.0.1:" + port, Optional.empty())
          .writeTo(dir.resolve("dashboard.yaml"));
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      NodeHttp node = new NodeHttp(port, Optional.empty());
      node.awaitReplicas("streaming", Duration.ofSeconds(90));
      t.load();
      t.awaitPgEqual(Duration.ofSeconds(120));
      assertThat(node.post("/api/replicas/pg/suspend").statusCode()).isEqualTo(200);
      node.awaitReplicas("suspended", Duration.ofSeconds(30));
      t.transfers(WRITES);
      JsonNode status = awaitLag(node, WRITES);
      awaitHistoryLag(node, WRITES);

      String page = node.base() + "/";
      String dom = chromium.dom(page, SCRIPTS);
      JsonNode replica = Status.replica(status, "pg");
      assertThat(shown(dom, "replica", "pg", "state")).as("dom: %s", dom).isEqualTo("suspended");
      assertThat(shown(dom, "replica", "pg", "appliedGtid")).isEqualTo(replica.path("appliedGtid").asString());
      assertThat(shown(dom, "replica", "pg", "lagTransactions")).isEqualTo(String.valueOf(WRITES));
      assertThat(shown(dom, "replica", "pg", "lagBytes")).isEqualTo(replica.path("lag").path("bytes").asString());
      assertThat(shown(dom, "replica", "pg", "workers")).isEqualTo(replica.path("workers").path("count").asString()
          + ", commit order kept");
      assertThat(shown(dom, "source", "primary", "state")).isEqualTo("streaming");
      assertThat(shown(dom, "source", "primary", "captured")).isEqualTo(status.path("source").path("captured").asString());
      assertThat(shown(dom, "journal", status.path("journal").path("dir").asString(), "lastGtid"))
          .isEqualTo(status.path("journal").path("lastGtid").asString());
      assertThat(shown(dom, "journal", status.path("journal").path("dir").asString(), "segments"))
          .isEqualTo("1 / 0 / 0");
      assertThat(chartMax(dom, "lagTransactions")).as("the lag chart holds the history before the page opened")
          .isEqualTo(WRITES);
      assertThat(dom).contains("none recorded"); // the conflicts table, read from the replica's target
      Path png = Path.of("target", "dashboard", "suspended-replica.png");
      chromium.screenshot(page, SCRIPTS, png, 1400, 1100);
      assertThat(Files.size(png)).isGreaterThan(10_000);

      assertThat(node.post("/api/replicas/pg/resume").statusCode()).isEqualTo(200);
      t.awaitPgEqual(Duration.ofSeconds(120));
      long conflict = resolvedConflict(t, node);
      JsonNode caughtUp = awaitLag(node, 0);
      String after = chromium.dom(page, SCRIPTS);
      assertThat(after).as("the conflicts table shows who resolved it").containsPattern("<tr data-id=\"" + conflict
          + "\">.*update_missing.*<td class=\"resolved\" data-field=\"resolved\">by dba at [^<]*: checked<");
      assertThat(shown(after, "replica", "pg", "state")).as("dom: %s", after).isEqualTo("streaming");
      assertThat(shown(after, "replica", "pg", "lagTransactions")).isEqualTo("0");
      assertThat(shown(after, "replica", "pg", "appliedGtid"))
          .isEqualTo(Status.replica(caughtUp, "pg").path("appliedGtid").asString())
          .isEqualTo(caughtUp.path("journal").path("lastGtid").asString());
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** One conflict (a row deleted on the replica alone, then updated on the primary), resolved by dba: its id. */
  private static long resolvedConflict(Topology t, NodeHttp node) throws Exception {
    try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
      st.execute("SET session_replication_role = replica"); // a local write Ferry's guards let through
      st.execute("SET default_transaction_read_only = off");
      st.execute("DELETE FROM accounts WHERE id = 3");
    }
    Sql.execute(t.primaryUrl, "UPDATE accounts SET balance = balance + 0 WHERE id = 3");
    long id = node.awaitConflicts("pg", 1, Duration.ofSeconds(60)).get(0).path("id").asLong();
    assertThat(node.post("/api/conflicts/" + id + "/resolve?by=dba&note=checked").statusCode()).isEqualTo(200);
    return id;
  }

  /**
   * The status once replica pg's lag is {@code transactions} and stays there (it is suspended or
   * caught up), read twice in a row with the same captured count: the counter of a transaction is
   * raised just after the journal's head moves, so one read can be a moment behind the other.
   */
  private static JsonNode awaitLag(NodeHttp node, long transactions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode before = null;
    while (true) {
      JsonNode s = node.json("/api/status");
      if (Status.replica(s, "pg").path("lag").path("transactions").asLong(-1L) == transactions && before != null
          && Status.replica(before, "pg").path("lag").path("transactions").asLong(-1L) == transactions
          && s.path("source").path("captured").asLong(-1L) == before.path("source").path("captured").asLong(-2L)) {
        return s;
      }
      before = s;
      assertThat(System.nanoTime()).as("lag %d within 90 s: %s", transactions, s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** Waits until the node's history holds two samples of that lag: the chart has a line to draw. */
  private static void awaitHistoryLag(NodeHttp node, long transactions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      long samples = node.json("/api/history").path("samples").valueStream()
          .filter(s -> s.path("replicas").get(0).path("lagTransactions").asLong() == transactions).count();
      if (samples >= 2) {
        return;
      }
      assertThat(System.nanoTime()).as("two history samples with lag %d", transactions).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /**
   * What the page shows for one box of its topology: {@code state} is the box's state, any other
   * name the value of its {@code data-field}.
   */
  /** The value a box of the page ({@code role} named {@code name}) shows as {@code what}; its state for {@code state}. */
  static String shown(String dom, String role, String name, String what) {
    Matcher box = Pattern.compile("data-role=\"" + role + "\" data-name=\"" + Pattern.quote(name)
        + "\" data-state=\"([^\"]*)\"").matcher(dom);
    assertThat(box.find()).as("a %s box named %s on the page: %s", role, name, dom).isTrue();
    if (what.equals("state")) {
      return box.group(1);
    }
    int next = dom.indexOf("data-role=", box.end());
    String inBox = dom.substring(box.end(), next < 0 ? dom.length() : next);
    Matcher value = Pattern.compile("data-field=\"" + what + "\">([^<]*)<").matcher(inBox);
    assertThat(value.find()).as("%s in the %s box %s: %s", what, role, name, inBox).isTrue();
    return value.group(1);
  }

  private static long chartMax(String dom, String canvas) {
    Matcher m = Pattern.compile("<canvas id=\"" + canvas + "\"[^>]* data-max=\"([0-9.]+)\"").matcher(dom);
    assertThat(m.find()).as("chart %s drawn: %s", canvas, dom).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
