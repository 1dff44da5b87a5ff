package dev.ferry.e2e;

import static dev.ferry.e2e.Sql.execute;
import static dev.ferry.e2e.Sql.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mode: read-only} on a SQLite replica, through the real {@code bin/ferry}: a write from
 * the {@code sqlite3} shell is refused with a message naming Ferry's read-only mode, Ferry still
 * applies, and {@code ferry teardown --replicas r1} removes the guard.
 */
@Timeout(300)
class ReadOnlySqliteReplicaTest {
  private static final String SQLITE3 = "/usr/bin/sqlite3";

  @TempDir Path dir;

  @Test
  void aLocalWriteIsRefusedReplicationStillAppliesAndTeardownLiftsTheGuard() throws Exception {
    String source = "jdbc:sqlite:" + dir.resolve("source.db");
    Path replica = dir.resolve("replica.db");
    String replicaUrl = "jdbc:sqlite:" + replica;
    for (String url : List.of(source, replicaUrl)) {
      execute(url, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL)");
    }
    Path config = dir.resolve("ferry.yaml");
    Files.writeString(config, FerryYaml.source(source, dir.resolve("journal")).replica("r1", replicaUrl, "read-only")
        .text());
    try (FerryCli cli = new FerryCli(dir)) {
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      execute(source, "INSERT INTO accounts VALUES (1, 'first')");
      awaitValue(replicaUrl, "1|first", run, log);

      for (String write : List.of("INSERT INTO accounts VALUES (2, 'local')", "UPDATE accounts SET owner = 'local'",
          "DELETE FROM accounts")) {
        Shell refused = sqlite3(replica, write);
        assertThat(refused.exitCode()).as(write + ": " + refused.output()).isNotZero();
        assertThat(refused.output()).as(write).contains("replica is read-only")
            .contains("Ferry replica mode: read-only").contains("write to the source");
      }
      execute(source, "INSERT INTO accounts VALUES (3, 'second')", "UPDATE accounts SET owner = 'changed' WHERE id = 1");
      awaitValue(replicaUrl, "1|changed,3|second", run, log);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      FerryCli.Result teardown = cli.run(Duration.ofMinutes(1), "teardown", "-c", config.toString(), "--replicas", "r1");
      assertThat(teardown.exitCode()).as("teardown: %s", teardown.all()).isZero();
      assertThat(teardown.stdout()).contains("replica r1: Ferry's tables removed, read-only guards lifted");
    }
    Shell allowed = sqlite3(replica, "INSERT INTO accounts VALUES (2, 'local')");
    assertThat(allowed.exitCode()).as(allowed.output()).isZero();
    assertThat(scalar(replicaUrl, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ferry%'")).isEqualTo("0");
  }

  private record Shell(int exitCode, String output) {}

  /** Runs {@code sql} in the sqlite3 shell, as an application or a DBA would, waiting out Ferry's write locks. */
  private Shell sqlite3(Path db, String sql) throws Exception {
    Process p = new ProcessBuilder(SQLITE3, "-cmd", ".timeout 10000", db.toString(), sql).redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Shell(p.exitValue(), output);
  }

  /** Waits until the replica's accounts, as {@code id|owner,…} in id order, are {@code expected}. */
  private static void awaitValue(String url, String expected, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!expected.equals(scalar(url, "SELECT group_concat(id || '|' || owner, ',') FROM "
        + "(SELECT id, owner FROM accounts ORDER BY id)"))) {
      assertThat(run.isAlive()).as("run exited: %s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("%s within 2 minutes: %s", expected, Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
