package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, {@code bin/ferry demo}, exits 0 with matching digests. */
@Timeout(240)
class DemoTest {
  @TempDir Path dir;

  @Test
  void theDemoReplicatesTheBankAndEveryDigestMatches() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(200), "demo", "--seconds", "6");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.stdout()).contains("OK: the replica equals the primary.");
    assertThat(r.stdout().lines().filter(l -> l.endsWith(" match")).count()).isEqualTo(5);
    assertThat(r.stdout()).contains("total always 10000000");
    assertThat(dir.resolve("ferry-demo/primary.db")).exists();
    assertThat(dir.resolve("ferry-demo/replica.db")).exists();
  }
}
