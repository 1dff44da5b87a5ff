package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A replica's outage is ridden out by the real {@code bin/ferry run}: the replica is shown
 * {@code reconnecting} (with the error and the next try) while capture and the other replica go
 * on, and it catches up by itself once its server is back — whether the outage starts while
 * streaming or before the first start.
 */
class ReplicaOutageTest {
  @TempDir Path dir;

  @Test
  @Timeout(420)
  void replicaClusterStoppedForTwoMinutesUnderLoadCatchesUpByItselfWhileCaptureAndTheOtherReplicaGoOn()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      try (WorkloadRunner workload = t.steadyWorkload(11)) {
        workload.awaitCommitted(200, Duration.ofSeconds(60));
        t.pgReplica.stopServer();
        long outageEnds = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode first = null;
        JsonNode last = null;
        boolean sawReconnecting = false;
        while (System.nanoTime() < outageEnds) {
          Thread.sleep(3000);
          assertThat(run.isAlive()).as("ferry run keeps running; log: %s", RunEndToEndTest.log(dir)).isTrue();
          JsonNode s = Status.of(cli, t.config);
          JsonNode pg = Status.replica(s, "pg");
          assertThat(pg.path("state").asString()).as("pg during the outage: %s", s).isNotEqualTo("failed");
          if (pg.path("state").asString().equals("reconnecting")) {
            sawReconnecting = true;
            assertThat(pg.path("lastError").isNull()).as("the outage's error is shown: %s", pg).isFalse();
            assertThat(pg.path("nextTry").isNull()).as("the next try is shown: %s", pg).isFalse();
            first = first == null ? s : first;
            last = s;
          }
        }
        assertThat(sawReconnecting).as("pg was shown reconnecting during the outage").isTrue();
        assertThat(Status.seq(last.path("journal").path("lastGtid")))
            .as("capture went on during the outage").isGreaterThan(Status.seq(first.path("journal").path("lastGtid")));
        assertThat(Status.seq(Status.replica(last, "lite").path("appliedGtid")))
            .as("the SQLite replica went on during the outage")
            .isGreaterThan(Status.seq(Status.replica(first, "lite").path("appliedGtid")));
        t.pgReplica.restart();
        workload.awaitCommitted(workload.committed() + 200, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("differences; log: %s", RunEndToEndTest.log(dir)).isEmpty();
      awaitState(cli, t, run, "pg", "streaming"); // the status file is written about once a second
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  @Timeout(300)
  void replicaUnreachableAtStartNeitherStopsCaptureNorTheOtherReplicaAndIsSeededOnceBack() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      t.load();
      t.pgReplica.stopServer();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", t.config.toString());
      try (WorkloadRunner workload = t.workload(12)) {
        JsonNode s = awaitState(cli, t, run, "lite", "streaming");
        // Capture may still be starting when pg is first shown reconnecting: wait for one status showing both.
        s = Await.until("pg reconnecting while capture streams", Duration.ofSeconds(90), () -> Status.of(cli, t.config),
            st -> Status.replica(st, "pg").path("state").asString().equals("reconnecting")
                && Status.sourceState(st).equals("streaming"));
        assertThat(run.isAlive()).as("ferry run is running; log: %s", RunEndToEndTest.log(dir)).isTrue();
        workload.awaitCommitted(200, Duration.ofSeconds(60));
        t.pgReplica.restart();
        workload.awaitCommitted(workload.committed() + 200, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(150))).as("differences; log: %s", RunEndToEndTest.log(dir)).isEmpty();
      assertThat(run.isAlive()).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
      assertThat(Files.readString(dir.resolve("run.log"))).contains("[replica pg] unreachable");
    }
  }

  static JsonNode awaitState(FerryCli cli, Topology t, Process run, String replica, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      assertThat(run.isAlive()).as("ferry run is running; log: %s", RunEndToEndTest.log(t.config.getParent()))
          .isTrue();
      JsonNode s = Status.of(cli, t.config);
      if (Status.replica(s, replica).path("state").asString().equals(state)) {
        return s;
      }
      assertThat(System.nanoTime()).as("%s %s within 90 s: %s", replica, state, s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }
}
