package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a real {@code bin/ferry run} (PostgreSQL to PostgreSQL) scraped under a
 * 4-client write load: the counters agree with the databases — transactions captured and applied
 * equal the transactions the clients committed — and the lag gauges fall to 0 once caught up.
 */
@Timeout(300)
class MetricsEndToEndTest {
  private static final String PG = "{replica=\"pg\"}";
  @TempDir Path dir;

  @Test
  void countersAgreeWithTheDatabasesAndLagFallsToZeroWhenCaughtUp() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      int port = NodeHttp.freePort();
      Path config = FerryYaml.source(t.primaryUrl, dir.resolve("journal")).includeTables("public\\..*")
          .replica("pg", t.pgReplicaUrl).http("127.0.0.1:" + port, Optional.empty()).writeTo(dir.resolve("metrics.yaml"));
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      NodeHttp node = new NodeHttp(port, Optional.empty());
      node.awaitReplicas("streaming", Duration.ofSeconds(90));
      t.load();
      t.awaitPgEqual(Duration.ofSeconds(120));
      // Ferry's own set-up may write a transaction of its own on the source: count from here.
      double before = awaitNoLag(node).get("ferry_replica_transactions_total" + PG);
      long committed;
      double seenDuringLoad = 0;
      // One-row transactions, each a change (see Topology.transfers).
      CompletableFuture<Long> load = CompletableFuture.supplyAsync(() -> {
        try {
          return t.transfers(3000);
        } catch (java.sql.SQLException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      for (int i = 0; i < 4; i++) {
        Thread.sleep(1000);
        Map<String, Double> m = node.metrics();
        assertThat(m).containsKey("ferry_replica_lag_transactions" + PG);
        seenDuringLoad = Math.max(seenDuringLoad, m.get("ferry_replica_transactions_total" + PG));
      }
      committed = load.get();
      assertThat(seenDuringLoad).as("transactions applied while the load ran").isPositive();
      t.awaitPgEqual(Duration.ofSeconds(120));
      // Counters are bumped by different threads one after another: read them again until one scrape shows them agree.
      Await.untilAsserted(Duration.ofSeconds(60), () -> {
        Map<String, Double> m = awaitNoLag(node);
        double applied = m.get("ferry_replica_transactions_total" + PG);
        assertThat(applied - before).as("applied = committed by the clients").isEqualTo((double) committed);
        assertThat(m.get("ferry_source_transactions_total{source=\"primary\"}")).isEqualTo(applied);
        assertThat(m.get("ferry_replica_changes_total" + PG))
            .isEqualTo(m.get("ferry_source_changes_total{source=\"primary\"}")).isGreaterThan(applied);
        assertThat(m.get("ferry_journal_appends_total")).isEqualTo(applied);
        assertThat(m.get("ferry_journal_appended_bytes_total")).isPositive();
        assertThat(m.get("ferry_journal_fsync_seconds_count")).isPositive();
        assertThat(m.get("ferry_journal_group_records_count")).as("one group size per group commit")
            .isEqualTo(m.get("ferry_journal_group_commits_total"));
        assertThat(m.get("ferry_journal_group_records_sum")).as("the groups hold every record")
            .isEqualTo(m.get("ferry_journal_appends_total"));
        assertThat(m.get("ferry_journal_group_records_bucket{le=\"1024.0\"}"))
            .isEqualTo(m.get("ferry_journal_group_records_count"));
        assertThat(m.get("ferry_source_retained_wal_bytes{source=\"primary\"}")).as("the slot's retained WAL")
            .isNotNegative();
        assertThat(m.get("ferry_journal_segments{state=\"open\"}")).isEqualTo(1.0);
        assertThat(m.get("ferry_replica_apply_seconds_count" + PG)).isEqualTo(applied);
        assertThat(m.get("ferry_replica_state{replica=\"pg\",state=\"streaming\"}")).isEqualTo(1.0);
        assertThat(m.get("ferry_replica_state{replica=\"pg\",state=\"failed\"}")).isZero();
        assertThat(m.get("ferry_replica_conflicts_total{replica=\"pg\",type=\"update_missing\"}")).isZero();
        assertThat(m.get("ferry_replica_lag_bytes" + PG)).isZero();
        for (String name : documentedFerryMetrics()) { // what docs/metrics.md (and the Grafana dashboard) promise
          if (!name.startsWith("ferry_link_")) { // a node with no link has none: CascadingTest scrapes them
            assertThat(m.keySet()).as("docs/metrics.md lists %s", name)
                .anyMatch(k -> k.matches(Pattern.quote(name) + "(_bucket|_count|_sum|_max)?(\\{.*)?"));
          }
        }
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"))
            .anyMatch(k -> k.startsWith("process_uptime_seconds"));
      });
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static Map<String, Double> awaitNoLag(NodeHttp node) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, Double> m = node.metrics();
      if (m.getOrDefault("ferry_replica_lag_transactions" + PG, -1.0) == 0
          && m.getOrDefault("ferry_replica_lag_seconds" + PG, -1.0) == 0) {
        return m;
      }
      assertThat(System.nanoTime()).as("lag 0 within 60 s: %s", m).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /** The {@code ferry_} metrics docs/metrics.md lists (which docs/grafana-ferry.json queries). */
  private static Set<String> documentedFerryMetrics() throws java.io.IOException {
    Set<String> names = new TreeSet<>();
    String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
    Matcher m = Pattern.compile("\\| `(ferry_[a-z_]+)` \\|").matcher(doc);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).as("the metrics of docs/metrics.md's tables").hasSizeGreaterThan(20);
    return names;
  }
}
