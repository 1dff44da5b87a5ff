package dev.ferry.e2e;

import static dev.ferry.e2e.Sql.execute;
import static dev.ferry.e2e.Sql.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retry bound through the real {@code bin/ferry run} with {@code apply.workers: 4}: a deferred
 * constraint trigger on the PostgreSQL replica makes every commit holding row 50 fail with
 * {@code 40P01} (deadlock_detected) for the first 10 attempts (the default bound), counted by a
 * sequence (not transactional, so the count survives each rollback). The replica stops —
 * {@code failed} in {@code ferry status}, not reconnecting — with an error naming the GTID its
 * failed commit started at, just after the last GTID it committed; capture goes on. A restart of
 * the process makes the eleventh attempt, which commits: every row once, a contiguous applied set.
 */
@Timeout(300)
class ParallelApplyRetryBoundTest {
  private static final int ROWS = 100;
  private static final int FAULTY = 50;
  private static final int BOUND = 10;
  private static final Pattern NAMED = Pattern.compile("cannot commit (?:the group of \\d+ transactions )?0-\\d+-(\\d+)");

  @TempDir Path dir;

  @Test
  void aCommitFailingAtEveryAttemptStopsTheReplicaNamingTheGtidAndARestartResumesThere() throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster pgReplica = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String replica = pgReplica.createDatabase("app");
      execute(source, "CREATE TABLE entry (id bigint PRIMARY KEY)");
      execute(replica, "CREATE TABLE entry (id bigint PRIMARY KEY)", "CREATE SEQUENCE attempts",
          "CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$"
              + " DECLARE n bigint := nextval('attempts'); BEGIN IF n <= " + BOUND
              + " THEN RAISE EXCEPTION 'induced deadlock at commit, attempt %', n USING ERRCODE = 'deadlock_detected';"
              + " END IF; RETURN NULL; END $$",
          "CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON entry DEFERRABLE INITIALLY DEFERRED"
              + " FOR EACH ROW WHEN (NEW.id = " + FAULTY + ") EXECUTE FUNCTION fail_commit()",
          "ALTER TABLE entry ENABLE ALWAYS TRIGGER fail_commit");
      Path config = FerryYaml.source(source, dir.resolve("journal")).includeTables("public\\.entry")
          .replicaWithWorkers("pg", replica, 4, "kept").writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "applying with 4 workers", run, 0, Duration.ofMinutes(2));
      for (int id = 1; id <= ROWS; id++) {
        execute(source, "INSERT INTO entry VALUES (" + id + ")");
      }

      String stopped = LogWait.awaitLine(log, "[replica pg] stopped:", run, 0, Duration.ofMinutes(2));
      assertThat(stopped).contains("40P01");
      assertThat(LogWait.tail(log, 0)).contains("(after " + BOUND + " attempts)").doesNotContain("unreachable");
      Matcher named = NAMED.matcher(stopped);
      assertThat(named.find()).as("a GTID in: %s", stopped).isTrue();
      String applied = scalar(replica, "SELECT applied_gtids FROM _ferry.replication_control");
      assertThat(applied).as("committed before the failed group").isEqualTo("0:" + (Long.parseLong(named.group(1)) - 1));
      assertThat(scalar(replica, "SELECT count(*) FROM entry WHERE id = " + FAULTY)).isEqualTo("0");
      assertThat(scalar(replica, "SELECT last_value FROM attempts")).isEqualTo(String.valueOf(BOUND));
      // The status file is written about once a second: it may not show the stop logged just now yet.
      Status.awaitReplicaState(cli, config, "pg", "failed", Duration.ofSeconds(30));
      assertThat(run.isAlive()).as("capture goes on").isTrue();
      FerryCli.terminate(run, Duration.ofSeconds(60));

      long offset = Files.size(log);
      run = cli.start(log, "run", "-c", config.toString());
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!String.valueOf(ROWS).equals(scalar(replica, "SELECT count(*) FROM entry"))) {
        assertThat(LogWait.tail(log, offset)).as("after the restart").doesNotContain("replica pg] stopped");
        assertThat(System.nanoTime()).as("every row after the restart; log:%n%s", LogWait.tail(log, offset))
            .isLessThan(deadline);
        Thread.sleep(300);
      }
      assertThat(scalar(replica, "SELECT count(DISTINCT id) FROM entry")).isEqualTo(String.valueOf(ROWS));
      assertThat(scalar(replica, "SELECT last_value FROM attempts")).as("one more attempt").isEqualTo(String.valueOf(BOUND + 1));
      assertThat(scalar(replica, "SELECT applied_gtids FROM _ferry.replication_control")).matches("0:\\d+");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }
}
