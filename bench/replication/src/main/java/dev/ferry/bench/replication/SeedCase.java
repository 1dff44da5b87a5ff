package dev.ferry.bench.replication;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.node.sync.InitialSync;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Case 5: initial sync of the pgbench database into an empty replica database (tables and keys
 * only) until the replica streams. Native: {@code CREATE SUBSCRIPTION … WITH (copy_data = true)}
 * until every table is ready. Ferry: capture running into a fresh journal, then
 * {@link InitialSync#seed} (parallel COPY streams on one exported snapshot), then apply streaming
 * and caught up. Ferry runs in the harness JVM here. Not thread-safe.
 */
final class SeedCase {
  private static final String TEMPLATE = "seed_template";

  private final Env env;
  private final Report report;
  private final Env.Log log;

  SeedCase(Env env, Report report, Env.Log log) {
    this.env = env;
    this.report = report;
    this.log = log;
  }

  void run(int pairs) throws Exception {
    String name = "5 initial sync";
    Env.exec(env.replica.jdbcUrl(), "CREATE DATABASE " + TEMPLATE + " TEMPLATE " + Env.NATIVE_DB);
    Env.exec(env.replica.jdbcUrl(TEMPLATE), "TRUNCATE " + String.join(", ", Env.TABLES), "DROP SCHEMA IF EXISTS _ferry CASCADE");
    List<Double> ferryS = new ArrayList<>();
    List<Double> nativeS = new ArrayList<>();
    for (int i = 1; i <= pairs; i++) {
      double f = ferry(i);
      ferryS.add(f);
      report.checked(name, "Ferry", env.differences("seed_f" + i));
      double n = nativeSync(i);
      nativeS.add(n);
      report.checked(name, "native", env.differences("seed_n" + i));
      log.line("case 5, pair %d: Ferry %.2f s, native %.2f s", i, f, n);
      Env.exec(env.replica.jdbcUrl(), "DROP DATABASE seed_f" + i, "DROP DATABASE seed_n" + i);
    }
    report.compare(name, "until streaming, s (" + env.scale * 100_000 + " account rows; Ferry 4 COPY streams)",
        "%.2f", ferryS, nativeS, 0.8, false);
  }

  private double ferry(int i) throws Exception {
    String db = "seed_f" + i;
    Env.exec(env.replica.jdbcUrl(), "CREATE DATABASE " + db + " TEMPLATE " + TEMPLATE);
    PostgresSourceConfig source = PostgresSourceConfig.of("seed" + i, env.primaryUrl());
    Path journal = env.work.resolve("journal-seed" + i);
    Properties props = new Properties();
    props.setProperty("options", "-c synchronous_commit=off");
    ReplicaSpec replica = new ReplicaSpec(ApplyConfig.defaults("seed", "bench"), env.replica.jdbcUrl(db), props);
    NodeSpec capture = new NodeSpec(new SourceSpec.Postgres(source), JournalConfig.defaults(journal), List.of());
    NodeSpec apply = new NodeSpec(new SourceSpec.Postgres(source), JournalConfig.defaults(journal), List.of(replica));
    try (FerryNode node = FerryNode.start(capture, FerryNode.Role.CAPTURE, List.of())) {
      if (!node.awaitCaptureStreaming(Duration.ofSeconds(60))) {
        throw new IllegalStateException("case 5: Ferry capture did not start");
      }
      long t0 = System.nanoTime();
      InitialSync.seed(source, replica, journal,
          new InitialSync.Options(new CopyOptions(4, 250_000, Optional.empty()), Duration.ofMinutes(2)));
      try (FerryNode applier = FerryNode.start(apply, FerryNode.Role.APPLY, List.of())) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (applier.status().replicas().getFirst().state() != dev.ferry.node.run.ReplicaState.STREAMING) {
          if (System.nanoTime() > deadline || !applier.failedReplicas().isEmpty()) {
            throw new IllegalStateException("case 5: Ferry's replica did not stream: " + applier.status());
          }
          Thread.sleep(1);
        }
        return (System.nanoTime() - t0) / 1e9;
      }
    } finally {
      Env.exec(env.primaryUrl(), "SELECT pg_drop_replication_slot('" + source.slotName() + "')");
    }
  }

  private double nativeSync(int i) throws Exception {
    String db = "seed_n" + i;
    Env.exec(env.replica.jdbcUrl(), "CREATE DATABASE " + db + " TEMPLATE " + TEMPLATE);
    String url = env.replica.jdbcUrl(db);
    long t0 = System.nanoTime();
    Env.exec(url, "CREATE SUBSCRIPTION seed_n" + i + " CONNECTION '" + Env.libpq(env.primary, Env.DB)
        + "' PUBLICATION " + Env.PUBLICATION + " WITH (copy_data = true)");
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (Env.queryLong(url, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("case 5: native subscription seed_n" + i + " not ready after 5 minutes");
      }
      Thread.sleep(1);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Env.exec(url, "DROP SUBSCRIPTION seed_n" + i);
    return seconds;
  }
}
