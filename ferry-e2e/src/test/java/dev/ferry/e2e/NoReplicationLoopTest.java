package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code bin/ferry run} processes: one applies PostgreSQL A to replica B, the other captures B
 * into PostgreSQL C. While A and B are both written, what Ferry applied on B never reaches C, and
 * every local write on B does — in order, nothing twice. B is PostgreSQL (Ferry's apply sessions
 * carry a replication origin), MariaDB (its transactions write B's progress table) or SQLite
 * (its transactions are marked in B's change table).
 */
@Timeout(420)
class NoReplicationLoopTest {
  private static final int FROM_A = 300;
  private static final int LOCAL_ON_B = 60;

  /** A write on B, as an application there makes it. */
  private interface LocalWrite {
    void execute(String sql) throws Exception;
  }

  @TempDir Path dir;

  @Test
  void whatFerryAppliedOnAReplicaIsNotCapturedWhenThatReplicaIsASource() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String b = pg.createDatabase("b");
      Sql.execute(b, "CREATE TABLE items (id int PRIMARY KEY, origin text NOT NULL)");
      relay(pg, cli, b, sql -> Sql.execute(b, sql), "replication origin 'ferry_");
    }
  }

  @Test
  void whatFerryAppliedOnAMariaDbReplicaIsNotCapturedWhenThatReplicaIsASource() throws Exception {
    // log_slave_updates=ON: Ferry's writes on B go to B's binlog, marked (MariaDB's default keeps them out of it).
    try (PostgresCluster pg = PostgresCluster.start();
        MariaDbServer maria = MariaDbServer.start(java.util.Map.of("log-slave-updates", "ON"));
        FerryCli cli = new FerryCli(dir)) {
      String b = maria.createDatabase("b");
      Sql.execute(b, "CREATE TABLE items (id INT PRIMARY KEY, origin VARCHAR(100) NOT NULL) ENGINE=InnoDB");
      relay(pg, cli, b, sql -> Sql.execute(b, sql),
          "skipping the changes of transactions that write ferry_replication_control");
    }
  }

  @Test
  void whatFerryAppliedOnASqliteReplicaIsNotCapturedWhenThatReplicaIsASource() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); SqliteDatabase lite = SqliteDatabase.create();
        FerryCli cli = new FerryCli(dir)) {
      Sql.execute(lite.jdbcUrl(), "CREATE TABLE items (id INTEGER PRIMARY KEY, origin TEXT NOT NULL)");
      // Waits for SQLite's write lock, which Ferry's apply and capture take too.
      relay(pg, cli, lite.jdbcUrl(), sql -> {
        try (Connection c = lite.connect(); Statement st = c.createStatement()) {
          st.execute(sql);
        }
      }, "skipping the changes Ferry applied to this database");
    }
  }

  /** A (and C) on {@code pg}, B at {@code b} written through {@code onB}; {@code skipped}: what B's capture logs. */
  private void relay(PostgresCluster pg, FerryCli cli, String b, LocalWrite onB, String skipped) throws Exception {
    String a = pg.createDatabase("a");
    String c = pg.createDatabase("c");
    for (String url : new String[] {a, c}) {
      Sql.execute(url, "CREATE TABLE items (id int PRIMARY KEY, origin text NOT NULL)");
    }
    Path bc = write("bc.yaml", "source:\n  name: b\n  url: " + b + "\njournal:\n  dir: " + dir.resolve("bc")
        + "\nreplicas:\n  - name: c\n    url: " + c + "\n");
    Path ab = write("ab.yaml", "source:\n  name: a\n  url: " + a + "\njournal:\n  dir: " + dir.resolve("ab")
        + "\nreplicas:\n  - name: b\n    url: " + b + "\n    mode: read-write\n");
    Process second = cli.start(dir.resolve("bc.log"), "run", "-c", bc.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, bc, second);
    Process first = cli.start(dir.resolve("ab.log"), "run", "-c", ab.toString());
    DirectoryTransportCrashTest.awaitReplicasStreaming(cli, ab, first);
    int local = 0;
    for (int id = 1; id <= FROM_A; id++) {
      Sql.execute(a, "INSERT INTO items VALUES (" + id + ", 'a')");
      if (id % (FROM_A / LOCAL_ON_B) == 0) {
        local++;
        onB.execute("INSERT INTO items VALUES (" + (100_000 + local) + ", 'b')");
      }
    }
    onB.execute("UPDATE items SET origin = 'b, updated' WHERE id = 100001");
    awaitCount(b, "SELECT count(*) FROM items", FROM_A + LOCAL_ON_B, dir.resolve("ab.log"));
    awaitCount(c, "SELECT count(*) FROM items WHERE origin = 'b, updated'", 1, dir.resolve("bc.log"));
    assertThat(Sql.scalar(c, "SELECT count(*) FROM items WHERE origin LIKE 'b%'")).isEqualTo("" + LOCAL_ON_B);
    assertThat(Sql.scalar(c, "SELECT count(*) FROM items WHERE origin = 'a'"))
        .as("rows Ferry applied on B, captured again from B").isEqualTo("0");
    assertThat(Files.readString(dir.resolve("bc.log"))).contains(skipped);
    assertThat(FerryCli.terminate(first, Duration.ofSeconds(60))).isZero();
    assertThat(FerryCli.terminate(second, Duration.ofSeconds(60))).isZero();
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private static void awaitCount(String url, String query, int expected, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (!String.valueOf(expected).equals(Sql.scalar(url, query))) {
      assertThat(System.nanoTime()).as("%s reaches %d; log: %s", query, expected, Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
