package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.SegmentFiles;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The journal's tail cut back past records both replicas (PostgreSQL and SQLite) applied — what a
 * disk that lied about fsync or a restored backup leaves — through the real {@code bin/ferry}:
 * run, stop, truncate the open segment, run again. The restart must refuse, naming the GTIDs,
 * rather than hand out those GTIDs again; and with the consumer files gone too, each replica
 * must stop before applying anything, naming its GTID and position and the journal's end.
 */
@Timeout(420)
class JournalTailLossTest {
  private static final int CUT_BYTES = 4000;

  @TempDir Path dir;

  @Test
  void aRestartAfterTheJournalLostAcknowledgedRecordsRefusesNamingEachReplicasGtidAndTheJournalsEnd()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Map<String, String> applied = replicateThenStop(t, cli);
      cutJournalTail();

      FerryCli.Result again = cli.run(Duration.ofMinutes(3), "run", "-c", t.config.toString());
      assertThat(again.exitCode()).as("ferry run after the cut: %s", again.all()).isEqualTo(1);
      for (String replica : List.of("pg", "lite")) {
        assertThat(again.all()).contains("consumer " + replica + " is ahead of the journal")
            .contains("GTID " + applied.get(replica)).contains("after GTID ");
      }
      assertThat(t.differences()).as("the replicas keep what they had").isEmpty();
    }
  }

  @Test
  void withoutTheConsumerFilesEachReplicaStopsBeforeApplyingNamingItsPositionAndTheJournalsEnd()
      throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Map<String, String> applied = replicateThenStop(t, cli);
      cutJournalTail();
      try (Stream<Path> files = Files.list(dir.resolve("journal/consumers"))) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }

      Process run = cli.start(dir.resolve("run.log"), "run", "-c", t.config.toString());
      for (String replica : List.of("pg", "lite")) {
        JsonNode r = awaitFailed(cli, t, run, replica);
        assertThat(r.path("lastError").asString()).contains("[replica " + replica + "]")
            .contains("is ahead of the journal").contains("GTID " + applied.get(replica))
            .contains("the journal ends at");
      }
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** Replicates a load to both replicas, stops {@code ferry run} with SIGTERM; returns each replica's last GTID. */
  private Map<String, String> replicateThenStop(Topology t, FerryCli cli) throws Exception {
    Process run = t.startStreaming(cli);
    t.load();
    try (WorkloadRunner workload = t.workload(3)) {
      workload.awaitCommitted(200, Duration.ofSeconds(90));
      workload.stop();
    }
    assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("log: %s", RunEndToEndTest.log(dir)).isEmpty();
    Map<String, String> applied = new TreeMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonNode s = Status.of(cli, t.config);
      String last = s.path("journal").path("lastGtid").asString();
      for (String replica : List.of("pg", "lite")) {
        applied.put(replica, Status.replica(s, replica).path("appliedGtid").asString());
      }
      if (applied.values().stream().allMatch(last::equals)) {
        break;
      }
      assertThat(System.nanoTime()).as("replicas at the journal's end: %s", s).isLessThan(deadline);
      Thread.sleep(300);
    }
    assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    return applied;
  }

  /** Truncates the open segment by {@link #CUT_BYTES}: the acknowledged records at its end are gone. */
  private void cutJournalTail() throws Exception {
    Path open;
    try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
      open = files.filter(SegmentFiles::isOpenSegment).findFirst().orElseThrow();
    }
    long size = Files.size(open);
    assertThat(size).as("open segment %s", open).isGreaterThan(CUT_BYTES + 200L);
    try (FileChannel ch = FileChannel.open(open, StandardOpenOption.WRITE)) {
      ch.truncate(size - CUT_BYTES);
    }
  }

  private static JsonNode awaitFailed(FerryCli cli, Topology t, Process run, String replica) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(run.isAlive()).as("ferry run is running").isTrue();
      Status.WithExit status = Status.withExit(cli, t.config);
      JsonNode s = status.json();
      JsonNode r = Status.replica(s, replica);
      if (r.path("state").asString().equals("failed")) {
        assertThat(status.exitCode()).as("ferry status exits 1 when a replica has failed").isEqualTo(1);
        return r;
      }
      assertThat(System.nanoTime()).as("%s stops within 120 s: %s", replica, s).isLessThan(deadline);
      Thread.sleep(300);
    }
  }
}
