package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code bin/ferry run} processes: one applies PostgreSQL A to MariaDB replica B, the other
 * captures B from its binlog into PostgreSQL C. While A and B are both written, what Ferry applied
 * on B (its transactions write B's progress table) never reaches C, and every local write on B
 * does — in order, nothing twice.
 */
@Timeout(420)
class MariaDbNoReplicationLoopTest {
  private static final int FROM_A = 200;
  private static final int LOCAL_ON_B = 40;

  @TempDir Path dir;

  @Test
  void whatFerryAppliedOnAMariaDbReplicaIsNotCapturedWhenThatReplicaIsASource() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String a = pg.createDatabase("a");
      String b = maria.createDatabase("b");
      String c = pg.createDatabase("c");
      Sql.execute(a, "CREATE TABLE items (id int PRIMARY KEY, origin text NOT NULL)");
      Sql.execute(c, "CREATE TABLE items (id int PRIMARY KEY, origin text NOT NULL)");
      Sql.execute(b, "CREATE TABLE items (id INT PRIMARY KEY, origin VARCHAR(100) NOT NULL) ENGINE=InnoDB");
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
          Sql.execute(b, "INSERT INTO items VALUES (" + (100_000 + local) + ", 'b')");
        }
      }
      Sql.execute(b, "UPDATE items SET origin = 'b, updated' WHERE id = 100001");
      awaitCount(b, "SELECT count(*) FROM items", FROM_A + LOCAL_ON_B, dir.resolve("ab.log"));
      awaitCount(c, "SELECT count(*) FROM items WHERE origin = 'b, updated'", 1, dir.resolve("bc.log"));
      assertThat(Sql.scalar(c, "SELECT count(*) FROM items WHERE origin LIKE 'b%'")).isEqualTo("" + LOCAL_ON_B);
      assertThat(Sql.scalar(c, "SELECT count(*) FROM items WHERE origin = 'a'"))
          .as("rows Ferry applied on B, captured again from B").isEqualTo("0");
      assertThat(Files.readString(dir.resolve("bc.log"))).contains("skipping the changes of transactions that write"
          + " ferry_replication_control");
      assertThat(FerryCli.terminate(first, Duration.ofSeconds(60))).isZero();
      assertThat(FerryCli.terminate(second, Duration.ofSeconds(60))).isZero();
    }
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
