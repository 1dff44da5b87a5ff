package dev.ferry.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.testkit.BankWorkload;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class InitialSyncCrashTest {
  @Test
  @Timeout(180)
  void seedKilledDuringTheCopyIsRedoneAndStreamsToEqualDigests(@TempDir Path dir) throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start()) {
      String source = cluster.createDatabase("src_crash");
      String target = cluster.createDatabase("dst_crash");
      BankWorkload bank = SyncFixture.createSource(source, 1_000, 150_000);
      NodeSpec spec = SyncFixture.node(source, dir.resolve("journal"), target);
      try (FerryNode capture = FerryNode.start(spec, FerryNode.Role.CAPTURE, List.of())) {
        assertThat(capture.awaitCaptureStreaming(Duration.ofSeconds(30))).isTrue();
        WorkloadRunner load = WorkloadRunner.start(bank, () -> DriverManager.getConnection(source), 4, 7);
        try {
          load.awaitCommitted(100, Duration.ofSeconds(30));
          try (JavaProcess seeder = JavaProcess.start(SeedMain.class, List.of("-Xmx256m"), source, target,
              dir.resolve("journal").toString())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (bulkRows(target) == 0 && seeder.isAlive() && System.nanoTime() < deadline) {
              Thread.sleep(10);
            }
            assertThat(seeder.isAlive()).as("seeder still copying: %s", seeder.output()).isTrue();
            seeder.kill9();
          }
          assertThat(bulkRows(target)).isBetween(1L, 149_999L);
          // Killed between dropping the keys and building them again: only their recorded definitions remain.
          assertThat(primaryKeys(target)).doesNotContainKey("bulk_pkey");
          assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes WHERE name = 'bulk_pkey'")).isOne();
          assertThat(InitialSync.needsSeed(spec.replica("r1"), dir.resolve("journal"))).isTrue();

          InitialSync.seed(SyncFixture.source(source), spec.replica("r1"), dir.resolve("journal"),
              SyncFixture.options(2, 20_000));
          try (FerryNode apply = FerryNode.start(spec, FerryNode.Role.APPLY, List.of("r1"))) {
            load.awaitCommitted(load.committed() + 200, Duration.ofSeconds(30));
            load.stop();
            SyncFixture.awaitEqualDigests(source, target, Duration.ofSeconds(60));
            assertThat(apply.failedReplicas()).isEmpty();
            assertThat(primaryKeys(target)).isEqualTo(primaryKeys(source)).containsKey("bulk_pkey");
            assertThat(count(target, "SELECT count(*) FROM _ferry.sync_indexes")).isZero();
          }
        } finally {
          load.close();
        }
      }
    }
  }

  /** The primary keys' index names and definitions (the target creates no other index). */
  private static Map<String, String> primaryKeys(String url) throws SQLException {
    Map<String, String> keys = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            + " AND indexname LIKE '%\\_pkey'")) {
      while (rs.next()) {
        keys.put(rs.getString(1), rs.getString(2));
      }
    }
    return keys;
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long bulkRows(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('public.bulk') IS NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM public.bulk")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
