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

  @Test
  void theLastProgressLineAgreesWithTheSummaryAndExplainsTheJournalCount() throws Exception {
    FerryCli.Result r = new FerryCli(dir).run(Duration.ofSeconds(200), "demo", "--seconds", "4");
    assertThat(r.exitCode()).as(r.all()).isZero();

    String last = r.stdout().lines().filter(l -> l.contains(" workload ")).reduce((a, b) -> b).orElseThrow();
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("workload +(\\d+) tx +journal +(\\d+) tx +applied +(\\d+) +lag +0 tx").matcher(last);
    assertThat(m.find()).as("last progress line: %s", r.stdout()).isTrue();
    assertThat(Long.parseLong(m.group(3))).as("applied").isEqualTo(Long.parseLong(m.group(2)));
    assertThat(r.stdout()).contains("workload: " + m.group(1) + " transactions committed")
        .contains("journal:  " + m.group(2) + " transactions, last GTID 0-1-" + m.group(2))
        .contains("SQLite capture journals the transactions committed between two polls as one")
        .contains("replica:  applied through 0-1-" + m.group(2));
  }
}
