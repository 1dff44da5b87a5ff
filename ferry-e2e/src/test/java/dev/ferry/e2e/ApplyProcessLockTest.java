package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process applies a replica: a separate {@code ferry apply} holds {@code replica-<name>.lock}
 * in the journal directory, so a second {@code ferry apply} (or a {@code ferry run}) of the same
 * replica is refused, and so are {@code ferry replica reinit} and {@code ferry skip} while it applies, even with no
 * {@code ferry capture} holding the journal. After {@code kill -9} of the apply process the OS has
 * released the lock and reinit goes ahead.
 */
@Timeout(300)
class ApplyProcessLockTest {
  @TempDir Path dir;

  @Test
  void aSecondApplyAndAReinitAreRefusedWhileAnApplyProcessAppliesTheReplica() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String config = t.config.toString();
      Process capture = cli.start(dir.resolve("capture.log"), "capture", "-c", config);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!Status.sourceState(Status.of(cli, t.config)).equals("streaming")) {
        assertThat(capture.isAlive()).as("capture runs: %s", log("capture.log")).isTrue();
        assertThat(System.nanoTime()).as("capture streams within 90 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      Process apply = cli.start(dir.resolve("apply.log"), "apply", "-c", config);
      t.load();
      assertThat(t.awaitEqual(Duration.ofSeconds(180))).as("apply log: %s", log("apply.log")).isEmpty();

      FerryCli.Result second = cli.run(Duration.ofSeconds(60), "apply", "-c", config, "--replica", "pg");
      assertThat(second.exitCode()).as(second.all()).isEqualTo(1);
      assertThat(second.stderr()).contains("replica pg is applied by another process")
          .contains(dir.resolve("journal").resolve("replica-pg.lock").toString()).doesNotContain("Exception");
      assertThat(apply.isAlive()).as("the first apply goes on").isTrue();

      assertThat(FerryCli.terminate(capture, Duration.ofSeconds(60))).isZero();
      FerryCli.Result reinit = cli.run(Duration.ofSeconds(60), "replica", "reinit", "pg", "-c", config);
      assertThat(reinit.exitCode()).as(reinit.all()).isEqualTo(1);
      assertThat(reinit.stderr()).contains("replica pg is applied by another process").contains("replica-pg.lock")
          .contains("stop it first, then reinit pg").doesNotContain("Exception");

      FerryCli.Result skip = cli.run(Duration.ofSeconds(60), "skip", "--replica", "pg", "--gtid", "0-1-1", "-c",
          config);
      assertThat(skip.exitCode()).as(skip.all()).isEqualTo(1);
      assertThat(skip.stderr()).contains("replica pg is applied by another process").contains("replica-pg.lock")
          .doesNotContain("Exception");

      FerryCli.kill9(apply);
      FerryCli.Result after = cli.run(Duration.ofSeconds(60), "replica", "reinit", "pg", "-c", config);
      assertThat(after.exitCode()).as("the killed process's lock is gone: %s", after.all()).isZero();
      assertThat(after.stdout()).contains("replica pg reset");
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
