package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.sqlite.SqliteReadOnly;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/ferry run} where the applier meets trouble on its side: a large transaction
 * whose DDL comes before a long run of row changes (it once deadlocked the PostgreSQL applier on
 * its own connection), a replica row locked by another session while SIGTERM arrives, and a key
 * shift ({@code UPDATE … SET id = id + 1}) on a deferrable key, and a clash on a unique key that
 * is not the primary key (a typed conflict, not a raw SQL error).
 */
@Timeout(600)
class ApplierUnderStressTest {
  private static final int ROWS = 6000;

  @TempDir Path dir;

  @Test
  void transactionWithCreateTableThenSixThousandUpdatesOfAnotherTableReachesBothReplicas() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      createWide(t);
      Process run = t.startStreaming(cli);
      try (Connection c = DriverManager.getConnection(t.primaryUrl); Statement st = c.createStatement()) {
        st.execute("INSERT INTO wide SELECT g, 0, 'seed' FROM generate_series(1, " + ROWS + ") g");
        c.setAutoCommit(false);
        st.execute("CREATE TABLE audit (id int PRIMARY KEY, what text)");
        st.execute("UPDATE wide SET n = id * 2, note = 'updated'");
        c.commit(); // audit stays empty: a table created after setup is not in the publication yet
      }
      try (Connection c = DriverManager.getConnection(t.primaryUrl); Statement st = c.createStatement()) {
        st.execute("UPDATE wide SET note = 'then' WHERE id = 1");
      }
      assertThat(awaitEqual(t, List.of("wide", "audit"), Duration.ofMinutes(4)))
          .as("both replicas equal the primary; log: %s", RunEndToEndTest.log(dir)).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(90))).as("exit code; log: %s", RunEndToEndTest.log(dir))
          .isZero();
    }
  }

  @Test
  void sigtermStopsAnApplierBlockedOnARowLockAndTheNextRunResumes() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      createWide(t);
      Process run = t.startStreaming(cli);
      Sql.execute(t.primaryUrl, "INSERT INTO wide SELECT g, 0, 'seed' FROM generate_series(1, 10) g");
      assertThat(awaitEqual(t, List.of("wide"), Duration.ofMinutes(2))).as("seeded").isTrue();
      try (Connection locker = DriverManager.getConnection(t.pgReplicaUrl); Statement st = locker.createStatement()) {
        st.execute("SET default_transaction_read_only = off"); // a read-only replica, to all but Ferry
        locker.setAutoCommit(false);
        st.execute("SELECT * FROM wide WHERE id = 1 FOR UPDATE");
        Sql.execute(t.primaryUrl, "UPDATE wide SET n = 1, note = 'locked' WHERE id = 1");
        awaitLockWait(t.pgReplicaUrl);
        long started = System.nanoTime();
        assertThat(FerryCli.terminate(run, Duration.ofSeconds(90))).as("exit code; log: %s", RunEndToEndTest.log(dir))
            .isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        locker.rollback();
      }
      Sql.execute(t.primaryUrl, "UPDATE wide SET n = 2 WHERE id = 2");
      run = t.startStreaming(cli);
      assertThat(awaitEqual(t, List.of("wide"), Duration.ofMinutes(2)))
          .as("the rolled-back transaction is applied once by the next run; log: %s", RunEndToEndTest.log(dir))
          .isTrue();
      assertThat(Sql.rows(t.pgReplicaUrl, "SELECT n, note FROM wide WHERE id IN (1, 2) ORDER BY id"))
          .containsExactly("1|locked", "2|seed");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(90))).isZero();
    }
  }

  @Test
  void keyShiftOnADeferrableKeyReachesAPostgresReplicaWithThatKeyAndASqliteReplica() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String deferrable = "CREATE TABLE shift (id int PRIMARY KEY DEFERRABLE INITIALLY IMMEDIATE, v text)";
      createOnAll(t, deferrable, "CREATE TABLE shift (id int PRIMARY KEY, v text)");
      // A deferrable key cannot be a replica identity: the source sends the full old row.
      Sql.execute(t.primaryUrl, "ALTER TABLE shift REPLICA IDENTITY FULL");
      Process run = t.startStreaming(cli);
      Sql.execute(t.primaryUrl, "INSERT INTO shift SELECT g, 'v' || g FROM generate_series(1, 500) g");
      Sql.execute(t.primaryUrl, "INSERT INTO shift VALUES (1000, 'a')");
      Sql.execute(t.primaryUrl, "UPDATE shift SET id = id + 1");
      Sql.execute(t.primaryUrl, "INSERT INTO shift VALUES (1, 'first again')");
      assertThat(awaitEqual(t, List.of("shift"), Duration.ofMinutes(3)))
          .as("both replicas equal the primary; log: %s", RunEndToEndTest.log(dir)).isTrue();
      assertThat(Sql.rows(t.pgReplicaUrl, "SELECT count(*), count(DISTINCT id) FROM shift")).containsExactly("502|502");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(90))).isZero();
    }
  }

  @Test
  void clashOnAUniqueKeyThatIsNotThePrimaryKeyStopsBothReplicasWithATypedConflict() throws Exception {
    try (Topology t = Topology.start(dir); FerryCli cli = new FerryCli(dir)) {
      String people = "CREATE TABLE people (id int PRIMARY KEY, email text UNIQUE)";
      createOnAll(t, people, people);
      Process run = t.startStreaming(cli);
      // Written on the replicas alone, after the initial sync (which makes them equal to the source).
      try (Connection c = DriverManager.getConnection(t.pgReplicaUrl); Statement st = c.createStatement()) {
        // The replica is read-only: a superuser's session in Ferry's own replication role is the one
        // that can still write there (as a read-write replica's local writes would).
        st.execute("SET default_transaction_read_only = off");
        st.execute("SET session_replication_role = replica");
        st.execute("INSERT INTO people VALUES (2, 'b@x')");
      }
      try (Connection c = t.liteReplica.connect(); Statement st = c.createStatement()) {
        SqliteReadOnly.markFerrySession(c); // as a Ferry connection: the SQLite replica's guards refuse others
        st.execute("INSERT INTO people VALUES (2, 'b@x')");
      }
      Sql.execute(t.primaryUrl, "INSERT INTO people VALUES (3, 'b@x')");
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      tools.jackson.databind.JsonNode s = Status.of(cli, t.config);
      while (!(failed(s, "pg") && failed(s, "lite")) && System.nanoTime() < deadline) {
        Thread.sleep(500);
        s = Status.of(cli, t.config);
      }
      for (String replica : new String[] {"pg", "lite"}) {
        String error = Status.replica(s, replica).path("lastError").asString("");
        assertThat(error).as("%s in %s; log: %s", replica, s, RunEndToEndTest.log(dir))
            .contains("public.people", "(email=b@x) on unique key", "(id=2, email=b@x)", "insert_exists");
      }
      assertThat(Sql.rows(t.pgReplicaUrl, "SELECT conflict_type, row_key FROM _ferry.conflicts"))
          .containsExactly("insert_exists|(email=b@x) on unique key people_email_key");
      assertThat(Sql.rows(t.pgReplicaUrl, "SELECT id, email FROM people")).containsExactly("2|b@x");
      FerryCli.terminate(run, Duration.ofSeconds(90));
    }
  }

  private static boolean failed(tools.jackson.databind.JsonNode status, String replica) {
    return Status.replica(status, replica).path("state").asString("").equals("failed");
  }

  private static void createWide(Topology t) throws Exception {
    String ddl = "CREATE TABLE wide (id int PRIMARY KEY, n bigint, note text)";
    createOnAll(t, ddl, ddl);
  }

  /** Creates a table on the primary and the PostgreSQL replica ({@code pgDdl}) and on the SQLite replica. */
  private static void createOnAll(Topology t, String pgDdl, String liteDdl) throws SQLException {
    Sql.execute(t.primaryUrl, pgDdl);
    Sql.execute(t.pgReplicaUrl, pgDdl);
    try (Connection c = t.liteReplica.connect(); Statement st = c.createStatement()) {
      st.execute(liteDdl);
    }
  }

  /** Waits until a session of the replica waits for a lock (Ferry's applier behind the locker). */
  private static void awaitLockWait(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (!Sql.rows(url, "SELECT pid, query FROM pg_stat_activity WHERE wait_event_type = 'Lock'").isEmpty()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no replica session waited for the row lock within 2 minutes");
  }

  private static boolean awaitEqual(Topology t, List<String> tables, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (equal(t, tables)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(500);
    }
  }

  private static boolean equal(Topology t, List<String> tables) throws SQLException {
    try (Connection src = DriverManager.getConnection(t.primaryUrl);
         Connection pg = DriverManager.getConnection(t.pgReplicaUrl); Connection lite = t.liteReplica.connect()) {
      for (String table : tables) {
        TableDigest expected = TableDigest.of(src, table);
        if (!exists(lite, table) || !expected.equals(TableDigest.of(pg, table))
            || !expected.equals(TableDigest.of(lite, table))) {
          return false;
        }
      }
      return true;
    } catch (SQLException e) {
      return false; // a table the replica does not have yet
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
      return rs.next();
    }
  }
}
