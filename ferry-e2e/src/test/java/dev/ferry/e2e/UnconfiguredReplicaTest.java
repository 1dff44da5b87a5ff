package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica missing from the configuration (a commented-out block, the wrong {@code -c}) keeps
 * its journal position, with a warning, until a DBA runs {@code ferry replica drop NAME}; once
 * back in the configuration it catches up from there. {@code ferry replica reinit NAME} makes it
 * start over with a fresh initial sync: refused while {@code ferry run} holds the journal, and it
 * forgets an until tag found in the replica's old history (its control file), saying so.
 */
class UnconfiguredReplicaTest {
  @TempDir Path dir;

  @Test
  @Timeout(420)
  void aReplicaLeftOutOfTheConfigurationKeepsItsPositionUntilDroppedAndReinitStartsItOver() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String full = Files.readString(t.config);
      Path withoutLite = dir.resolve("without-lite.yaml");
      Files.writeString(withoutLite, full.replaceAll("(?m)^  - name: lite\\n    url: .*\\n", ""));
      assertThat(Files.readString(withoutLite)).doesNotContain("lite");
      Path journal = dir.resolve("journal");
      Path log = dir.resolve("run.log");

      Process run = t.startStreaming(cli, log);
      t.load();
      try (WorkloadRunner workload = t.workload(51)) {
        workload.awaitCommitted(200, Duration.ofSeconds(60));
        assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
        JournalPosition liteAt = position(journal, "lite");

        run = cli.start(log, "run", "-c", withoutLite.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (position(journal, "pg").segment() < liteAt.segment() + 2) {
          assertThat(run.isAlive()).as("run without lite; log: %s", Files.readString(log)).isTrue();
          assertThat(System.nanoTime()).as("pg two segments past lite within 150 s").isLessThan(deadline);
          Thread.sleep(1000);
        }
        assertThat(position(journal, "lite")).as("lite still holds its position").isEqualTo(liteAt);
        assertThat(Files.readString(log)).contains("replica lite is not in this configuration")
            .contains("ferry replica drop lite");
        assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

        run = cli.start(log, "run", "-c", t.config.toString());
        workload.awaitCommitted(workload.committed() + 100, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("lite caught up; log: %s", Files.readString(log)).isEmpty();
      FerryCli.Result whileRunning = cli.run(Duration.ofSeconds(60), "replica", "reinit", "pg", "-c",
          t.config.toString());
      assertThat(whileRunning.exitCode()).as(whileRunning.all()).isEqualTo(1);
      assertThat(whileRunning.stderr()).contains("held by a running process").contains("journal.lock")
          .doesNotContain("Exception");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      FerryCli.Result refused = cli.run(Duration.ofSeconds(60), "replica", "drop", "lite", "-c", t.config.toString());
      assertThat(refused.exitCode()).as(refused.all()).isNotZero();
      assertThat(refused.stderr()).contains("still configured");
      FerryCli.Result dropped = cli.run(Duration.ofSeconds(60), "replica", "drop", "lite", "-c",
          withoutLite.toString());
      assertThat(dropped.exitCode()).as(dropped.all()).isZero();
      assertThat(SegmentFiles.consumerFile(journal, "lite")).doesNotExist();

      // An until tag found in pg's old history (as the node records it in the control file) is forgotten.
      Path control = journal.resolve("replica-pg.control");
      Files.writeString(control, "suspended=false\nuntil-tag=month-end\nuntil-tag-gtid=0-1-7\n");
      FerryCli.Result reinit = cli.run(Duration.ofSeconds(60), "replica", "reinit", "pg", "-c", t.config.toString());
      assertThat(reinit.exitCode()).as(reinit.all()).isZero();
      assertThat(reinit.stdout()).contains("forgot until tag:month-end found at 0-1-7 in its old history")
          .doesNotContain("suspended");
      assertThat(Files.readString(control)).contains("suspended=false").doesNotContain("until-tag");
      try (Connection c = DriverManager.getConnection(t.primaryUrl); Statement st = c.createStatement()) {
        st.execute("UPDATE accounts SET note = 'written while no process ran' WHERE id <= 20");
      }
      run = t.startStreaming(cli, log);
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).as("log: %s", Files.readString(log)).isEmpty();
      assertThat(Files.readString(log)).contains("[replica pg] new replica: seeding");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static JournalPosition position(Path journal, String name) throws Exception {
    Path f = SegmentFiles.consumerFile(journal, name);
    assertThat(f).as("%s holds a position", name).exists();
    // The file holds the position, then the GTID ending there (journal-format.md, consumers).
    return JournalPosition.parse(Files.readString(f).strip().split("\\s+")[0]);
  }
}
