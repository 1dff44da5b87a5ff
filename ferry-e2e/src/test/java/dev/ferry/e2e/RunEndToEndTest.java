package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The real {@code bin/ferry run} with a configuration file: PostgreSQL to PostgreSQL and to SQLite
 * under a 4-client write load; {@code ferry status --json} shows the lag fall to zero and the
 * digests are equal; SIGTERM stops it with exit 0 and the next run resumes with nothing lost or
 * duplicated.
 */
@Timeout(300)
class RunEndToEndTest {
  @TempDir Path dir;

  @Test
  void replicatesToPostgresAndSqliteUnderLoadAndStatusShowsTheLagFallToZero() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      long maxLag = 0;
      try (WorkloadRunner workload = t.steadyWorkload(1)) {
        for (int i = 0; i < 6; i++) {
          Thread.sleep(1000);
          JsonNode s = Status.of(cli, t.config);
          maxLag = Math.max(maxLag, Status.replica(s, "pg").path("lag").path("transactions").asLong());
          assertThat(run.isAlive()).as("ferry run is running; its log: %s", log(dir)).isTrue();
        }
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("differences; log: %s", log(dir)).isEmpty();
      // The tables are equal before the status file (written about once a second) says so: wait for it to.
      Await.untilAsserted(Duration.ofSeconds(60), () -> {
        JsonNode s = Status.of(cli, t.config);
        for (String replica : new String[] {"pg", "lite"}) {
          JsonNode r = Status.replica(s, replica);
          assertThat(r.path("state").asString()).as("%s in %s", replica, s).isEqualTo("streaming");
          assertThat(r.path("lag").path("transactions").asLong()).as("%s lag in %s", replica, s).isZero();
          assertThat(r.path("lag").path("bytes").asLong()).as("%s lag in %s", replica, s).isZero();
          assertThat(r.path("appliedGtid").asString()).as("%s in %s", replica, s)
              .isEqualTo(s.path("journal").path("lastGtid").asString());
        }
        assertThat(Status.sourceState(s)).as("%s", s).isEqualTo("streaming");
      });
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void sigtermStopsCleanlyAndTheNextRunResumesWithNothingLostOrDuplicated() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      try (WorkloadRunner workload = t.workload(2)) {
        workload.awaitCommitted(300, Duration.ofSeconds(60));
        assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).as("exit code after SIGTERM; log: %s", log(dir))
            .isZero();
        workload.awaitCommitted(workload.committed() + 300, Duration.ofSeconds(60));
        run = t.startStreaming(cli);
        workload.awaitCommitted(workload.committed() + 300, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("differences; log: %s", log(dir)).isEmpty();
      Await.until("pg with no conflict or error", Duration.ofSeconds(30), () -> Status.of(cli, t.config),
          s -> Status.replica(s, "pg").path("lastError").isNull());
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  static void awaitStreaming(FerryCli cli, Topology t, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      assertThat(process.isAlive()).as("ferry is running").isTrue();
      JsonNode s = Status.of(cli, t.config);
      boolean replicasUp = s.path("replicas").values().stream().allMatch(r -> r.path("state").asString()
          .equals("streaming"));
      if (Status.sourceState(s).equals("streaming") && replicasUp) {
        return;
      }
      assertThat(System.nanoTime()).as("streaming within 90 s: %s", s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  static String log(Path dir) {
    try {
      return java.nio.file.Files.readString(dir.resolve("run.log"));
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
