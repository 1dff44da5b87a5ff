package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The real {@code bin/ferry run}: while it is stopped, the source inserts ids 1..100 into a
 * {@code serial} table, then {@code TRUNCATE … RESTART IDENTITY} and inserts id 1 again. When
 * Ferry starts again it reads the sequence only after the reset; the journaled value of the first
 * transaction must still be at or above the ids it wrote (a replica stopped after it would
 * otherwise hand them out again), and both replicas end equal to the source.
 */
@Timeout(300)
class SequenceRestartEndToEndTest {
  @TempDir Path dir;

  @Test
  void sequenceJournaledForATransactionStaysAtOrAboveItsIdsWhenALaterRestartIdentityRanWhileFerryWasDown()
      throws Exception {
    try (PostgresCluster primary = PostgresCluster.start(); PostgresCluster pgReplica = PostgresCluster.start();
        SqliteDatabase lite = SqliteDatabase.create(); FerryCli cli = new FerryCli(dir)) {
      String source = primary.createDatabase("app");
      String replica = pgReplica.createDatabase("app");
      Sql.execute(source, "CREATE TABLE events (id serial PRIMARY KEY, v text)");
      Sql.execute(replica, "CREATE TABLE events (id serial PRIMARY KEY, v text)");
      try (Connection c = lite.connect(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE events (id integer PRIMARY KEY AUTOINCREMENT, v text)");
      }
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("pg", replica)
          .replica("lite", lite.jdbcUrl()).writeTo(dir.resolve("ferry.yaml"));
      Path log = dir.resolve("run.log");
      Process run = cli.start(log, "run", "-c", config.toString());
      LogWait.awaitLine(log, "node started", run, Duration.ofMinutes(2));
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      Sql.execute(source, "INSERT INTO events (v) SELECT 'x' FROM generate_series(1, 100)");
      Sql.execute(source, "TRUNCATE events RESTART IDENTITY");
      Sql.execute(source, "INSERT INTO events (v) VALUES ('after')");
      run = cli.start(log, "run", "-c", config.toString());
      awaitEqual(source, replica, lite, Duration.ofMinutes(2), log);

      JournalDump dump = JournalDump.of(cli, dir.resolve("journal"), dir);
      JsonNode first = dump.withSequences().stream()
          .filter(tx -> tx.path("changes").values().stream().filter(ch -> ch.path("op").asString().equals("insert"))
              .count() == 100)
          .findFirst().orElseThrow(() -> new AssertionError("no transaction with the 100 inserts in the journal"));
      long value = first.path("changes").values().stream().filter(ch -> ch.path("op").asString().equals("sequence"))
          .mapToLong(ch -> ch.path("value").asLong()).max().orElseThrow();
      assertThat(value).as("journaled value of events_id_seq after ids 1..100: %s", first).isGreaterThanOrEqualTo(100);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static void awaitEqual(String source, String pg, SqliteDatabase lite, Duration timeout, Path log)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      TableDigest want;
      TableDigest onPg;
      TableDigest onLite;
      try (Connection s = DriverManager.getConnection(source); Connection p = DriverManager.getConnection(pg);
          Connection l = lite.connect()) {
        want = TableDigest.of(s, "events");
        onPg = TableDigest.of(p, "events");
        onLite = TableDigest.of(l, "events");
      }
      if (want.equals(onPg) && want.equals(onLite)) {
        return;
      }
      assertThat(System.nanoTime()).as("replicas equal within %s: %s / %s / %s; log:%n%s", timeout, want, onPg,
          onLite, Files.readString(log)).isLessThan(deadline);
      Thread.sleep(500);
    }
  }
}
