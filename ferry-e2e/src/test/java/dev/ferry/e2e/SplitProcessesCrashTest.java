package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.SegmentFiles;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry capture} and {@code ferry apply} as two processes sharing the journal directory,
 * each killed with SIGKILL three times at random moments under a 4-client load and restarted:
 * both replicas end equal to the primary.
 */
@Timeout(400)
class SplitProcessesCrashTest {
  private static final long SEED = 7_2026L;

  @TempDir Path dir;

  @Test
  void captureAndApplyKilledAndRestartedLoseAndDuplicateNothing() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String config = t.config.toString();
      Process capture = cli.start(dir.resolve("capture.log"), "capture", "-c", config);
      awaitCaptureStreaming(cli, t, capture);
      Process apply = cli.start(dir.resolve("apply.log"), "apply", "-c", config);
      t.load();
      try (WorkloadRunner workload = t.workload(3)) {
        for (int round = 0; round < 3; round++) {
          workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
          Thread.sleep(200 + random.nextInt(1500));
          FerryCli.kill9(capture);
          capture = cli.start(dir.resolve("capture.log"), "capture", "-c", config);
          Thread.sleep(200 + random.nextInt(1500));
          FerryCli.kill9(apply);
          apply = cli.start(dir.resolve("apply.log"), "apply", "-c", config);
        }
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(180)))
          .as("differences; capture log: %s%napply log: %s", log("capture.log"), log("apply.log")).isEmpty();
      assertThat(capture.isAlive()).isTrue();
      assertThat(apply.isAlive()).isTrue();
      // The apply process acknowledges what it applied, so the capture process can purge.
      for (String replica : new String[] {"pg", "lite"}) {
        Path pos = SegmentFiles.consumerFile(dir.resolve("journal"), replica);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Files.readString(pos).strip().equals("1:0") && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(Files.readString(pos).strip()).as("%s acknowledged position", replica).isNotEqualTo("1:0");
      }
      assertThat(FerryCli.terminate(apply, Duration.ofSeconds(60))).isZero();
      assertThat(FerryCli.terminate(capture, Duration.ofSeconds(60))).isZero();
    }
  }

  /** The slot exists only once capture streams: rows written before that are not captured. */
  private void awaitCaptureStreaming(FerryCli cli, Topology t, Process capture) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!Status.sourceState(Status.of(cli, t.config)).equals("streaming")) {
      assertThat(capture.isAlive()).as("capture runs: %s", log("capture.log")).isTrue();
      assertThat(System.nanoTime()).as("capture streams within 90 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (java.io.IOException e) {
      return "(none)";
    }
  }
}
