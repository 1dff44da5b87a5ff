package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.GtidSet;
import dev.ferry.testkit.WorkloadRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ferry status} tells the truth: each replica's real applied position after a restart of
 * an idle system and when no process runs (a SQLite replica too), the source slot's retained WAL,
 * for a replica stopped by a conflict the GTID it really committed and exit code 1 (and, once
 * {@code ferry skip} moved it past the conflict with no process running, the skipped GTID), and a replica
 * whose applier retries a transient error shown {@code retrying}, not {@code streaming}.
 */
class StatusTruthTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void afterARestartOfAnIdleSystemStatusShowsEachReplicasRealPositionAlsoWithNoProcessRunning() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      try (WorkloadRunner workload = t.workload(41)) {
        workload.awaitCommitted(300, Duration.ofSeconds(60));
        workload.stop();
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).isEmpty();
      // The replicas acknowledge what they committed: the status file, written about once a second, shows it.
      Await.untilAsserted(Duration.ofSeconds(60), () -> assertCaughtUp(Status.of(cli, t.config), "before the restart"));
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      run = t.startStreaming(cli);
      Await.untilAsserted(Duration.ofSeconds(60), () -> {
        JsonNode s = Status.of(cli, t.config);
        assertCaughtUp(s, "after a restart");
        assertThat(s.path("journal").path("lastCommitTime").asString("")).as("%s", s).doesNotStartWith("1970");
        assertThat(s.path("source").path("retainedWalBytes").isNumber()).as("retained WAL in %s", s).isTrue();
      });
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith("status")).toList()) {
          Files.delete(f); // no process reports: status reads the replicas themselves
        }
      }
      Status.WithExit none = Status.withExit(cli, t.config);
      assertThat(none.exitCode()).as("%s", none.json()).isZero();
      for (String name : new String[] {"pg", "lite"}) {
        JsonNode r = Status.replica(none.json(), name);
        assertThat(r.path("state").asString()).as("%s read with no process: %s", name, r).isEqualTo("stopped");
        assertThat(r.path("appliedGtid").asString()).isEqualTo(none.json().path("journal").path("lastGtid").asString());
      }
    }
  }

  @Test
  @Timeout(300)
  void aReplicaStoppedByAConflictShowsTheGtidItCommittedAndStatusExitsNonZero() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      Process run = t.startStreaming(cli);
      t.load();
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).isEmpty();
      try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
        // A local write as Ferry makes its own (the replica is read-only to everyone else): the next
        // transfer touching one of these accounts conflicts.
        st.execute("SET session_replication_role = replica");
        st.execute("SET default_transaction_read_only = off");
        st.execute("DELETE FROM accounts WHERE id IN (3, 7, 11)");
      }
      Status.WithExit failed;
      try (WorkloadRunner workload = t.steadyWorkload(42)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        do {
          Thread.sleep(1000);
          failed = Status.withExit(cli, t.config);
          assertThat(System.nanoTime()).as("pg failed within 120 s: %s", failed.json()).isLessThan(deadline);
        } while (!Status.replica(failed.json(), "pg").path("state").asString().equals("failed"));
        workload.stop();
      }
      long committed = committedSeq(t.pgReplicaUrl);
      // The status file is written about once a second: wait for the one written after the failure settled.
      failed = Await.until("status showing pg failed at the GTID it committed (" + committed + ")",
          Duration.ofSeconds(60), () -> Status.withExit(cli, t.config),
          f -> Status.seq(Status.replica(f.json(), "pg").path("appliedGtid")) == committed
              && Status.replica(f.json(), "lite").path("state").asString().equals("streaming"));
      assertThat(failed.exitCode()).as("status exits non-zero when a replica failed").isEqualTo(1);
      JsonNode pg = Status.replica(failed.json(), "pg");
      assertThat(Status.seq(pg.path("appliedGtid"))).as("the GTID pg really committed: %s", pg).isEqualTo(committed);
      assertThat(pg.path("lag").path("transactions").asLong())
          .isEqualTo(Status.seq(failed.json().path("journal").path("lastGtid")) - committed);
      assertThat(run.isAlive()).as("capture and the other replica go on").isTrue();
      assertThat(Status.replica(failed.json(), "lite").path("state").asString()).isEqualTo("streaming");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      // With no process running, ferry skip moves pg's progress row past the conflict: status reads it.
      String next = pg.path("appliedGtid").asString().replaceFirst("\\d+$", Long.toString(committed + 1));
      FerryCli.Result skip = cli.run(Duration.ofSeconds(60), "skip", "--replica", "pg", "--gtid", next,
          "-c", t.config.toString());
      assertThat(skip.exitCode()).as(skip.all()).isZero();
      Status.WithExit skipped = Status.withExit(cli, t.config);
      JsonNode pgSkipped = Status.replica(skipped.json(), "pg");
      assertThat(pgSkipped.path("appliedGtid").asString()).as("%s", pgSkipped).isEqualTo(next);
      assertThat(pgSkipped.path("state").asString()).as("%s", pgSkipped).isEqualTo("stopped");
      assertThat(pgSkipped.path("lastError").asString()).startsWith("was failed: ")
          .contains("its progress row has moved past that since");
      assertThat(skipped.exitCode()).as("nothing failed any more: %s", skipped.json()).isZero();
    }
  }

  @Test
  @Timeout(300)
  void aReplicaRetryingARowLockIsShownRetryingWithTheFailedAttemptNotStreaming() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
        st.execute("ALTER DATABASE bank SET lock_timeout = '300ms'"); // Ferry's sessions give up on a held row lock
      }
      Process run = t.startStreaming(cli);
      t.load();
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).isEmpty();
      try (Connection locker = DriverManager.getConnection(t.pgReplicaUrl); Statement st = locker.createStatement()) {
        st.execute("SET default_transaction_read_only = off");
        locker.setAutoCommit(false);
        st.executeQuery("SELECT id FROM accounts FOR UPDATE").close(); // a local session holds every account row
        try (WorkloadRunner workload = t.steadyWorkload(43)) {
          JsonNode pg = awaitState(cli, t, "pg", "retrying", Duration.ofSeconds(60));
          assertThat(pg.path("lastError").asString()).as("%s", pg).contains("attempt").contains("lock timeout");
          assertThat(pg.path("nextTry").isString()).as("nextTry of %s", pg).isTrue();
          locker.rollback();
          workload.awaitCommitted(workload.committed() + 50, Duration.ofSeconds(60));
          workload.stop();
        }
      }
      assertThat(t.awaitEqual(Duration.ofSeconds(120))).isEmpty();
      JsonNode pg = awaitState(cli, t, "pg", "streaming", Duration.ofSeconds(60));
      assertThat(pg.path("nextTry").isNull() || pg.path("nextTry").isMissingNode()).as("%s", pg).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static JsonNode awaitState(FerryCli cli, Topology t, String replica, String state, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode r = Status.replica(Status.of(cli, t.config), replica);
      if (r.path("state").asString().equals(state)) {
        return r;
      }
      assertThat(System.nanoTime()).as("%s %s within %s: %s", replica, state, timeout, r).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static void assertCaughtUp(JsonNode s, String when) {
    String head = s.path("journal").path("lastGtid").asString();
    for (String name : new String[] {"pg", "lite"}) {
      JsonNode r = Status.replica(s, name);
      assertThat(r.path("appliedGtid").asString()).as("%s %s: %s", name, when, s).isEqualTo(head);
      assertThat(r.path("lag").path("transactions").asLong()).as("%s %s", name, when).isZero();
      assertThat(r.path("lag").path("bytes").asLong()).as("%s %s", name, when).isZero();
      assertThat(r.path("appliedCommitTime").asString("")).as("%s %s", name, when).doesNotStartWith("1970");
    }
  }

  /** The highest sequence in the replica's own replication_control row, wherever Ferry's schema is. */
  private static long committedSeq(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      String schema;
      try (ResultSet rs = st.executeQuery("SELECT table_schema FROM information_schema.tables"
          + " WHERE table_name = 'replication_control'")) {
        rs.next();
        schema = rs.getString(1);
      }
      try (ResultSet rs = st.executeQuery("SELECT applied_gtids FROM \"" + schema + "\".replication_control")) {
        rs.next();
        GtidSet set = GtidSet.parse(rs.getString(1));
        return set.highest(set.domains().get(0)).orElse(0L);
      }
    }
  }
}
