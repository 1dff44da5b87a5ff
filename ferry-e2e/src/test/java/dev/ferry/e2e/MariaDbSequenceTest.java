package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MariaDB source whose inserts take their ids from a SEQUENCE ({@code DEFAULT NEXTVAL(s)}),
 * through the real {@code bin/ferry run}, into a MariaDB and a PostgreSQL replica that each have the
 * table and a sequence {@code s}: the sequence's binlog rows (each refill of its cache, a
 * {@code SETVAL}) reach both as sequence advances, not as rows of a table {@code s}; both replicas
 * hold the source's rows and a sequence at or above every id the source handed out (issue 16). The
 * seed carries the sequence too: right after it, before any further source write, both replicas'
 * sequences hand out values above the ids the source handed out before the snapshot.
 */
@Timeout(300)
class MariaDbSequenceTest {
  @TempDir Path dir;

  @Test
  void aSourceSequenceAdvancesTheMariaDbAndPostgresReplicasSequences() throws Exception {
    try (MariaDbServer maria = MariaDbServer.start(); MariaDbServer target = MariaDbServer.start();
        PostgresCluster pg = PostgresCluster.start(); FerryCli cli = new FerryCli(dir)) {
      String source = maria.createDatabase("app");
      Sql.execute(source, "CREATE SEQUENCE s START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE TABLE t (id BIGINT PRIMARY KEY DEFAULT NEXTVAL(s), v VARCHAR(20))");
      for (int i = 0; i < 3; i++) { // before the seed: ids 1 to 3, the cache refilled up to 5
        Sql.execute(source, "INSERT INTO t (v) VALUES ('seeded " + i + "')");
      }
      String mariaReplica = target.createDatabase("app");
      Sql.execute(mariaReplica, "CREATE SEQUENCE s START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE TABLE t (id BIGINT PRIMARY KEY DEFAULT NEXTVAL(s), v VARCHAR(20))");
      String pgReplica = pg.createDatabase("app");
      Sql.execute(pgReplica, "CREATE SEQUENCE s", "CREATE TABLE t (id bigint PRIMARY KEY DEFAULT nextval('s'), v text)");
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("maria", mariaReplica, "read-write")
          .replica("pg", pgReplica, "read-write").writeTo(dir.resolve("ferry.yaml"));
      assertThat(cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString()).exitCode()).isZero();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      LogWait.awaitLine(dir.resolve("run.log"), "[replica maria] seeded: ", run, Duration.ofSeconds(120));
      LogWait.awaitLine(dir.resolve("run.log"), "[replica pg] seeded: ", run, Duration.ofSeconds(120));
      // The seed carries the sequence: before any further source write, each replica's hands out above 3.
      assertThat(Long.parseLong(Sql.scalar(mariaReplica, "SELECT NEXTVAL(s)"))).as("seeded MariaDB sequence")
          .isGreaterThan(3);
      assertThat(Long.parseLong(Sql.scalar(pgReplica, "SELECT nextval('s')"))).as("seeded PostgreSQL sequence")
          .isGreaterThan(3);
      for (int i = 0; i < 12; i++) {
        Sql.execute(source, "INSERT INTO t (v) VALUES ('r" + i + "')");
      }
      Sql.execute(source, "SELECT SETVAL(s, 1000)", "INSERT INTO t (v) VALUES ('after setval')");
      long maxId = Long.parseLong(Sql.scalar(source, "SELECT max(id) FROM t"));
      assertThat(maxId).isEqualTo(1001);
      for (String replica : List.of(mariaReplica, pgReplica)) {
        Await.until("t as on the source", Duration.ofSeconds(90), () -> digest(replica).equals(digest(source)),
            same -> same);
      }
      Await.until("the MariaDB replica's sequence past the source's ids", Duration.ofSeconds(60),
          () -> Long.parseLong(Sql.scalar(mariaReplica, "SELECT next_not_cached_value FROM s")), next -> next > maxId);
      Await.until("the PostgreSQL replica's sequence past the source's ids", Duration.ofSeconds(60),
          () -> Long.parseLong(Sql.scalar(pgReplica, "SELECT last_value FROM s")), last -> last >= maxId);
      assertThat(Long.parseLong(Sql.scalar(mariaReplica, "SELECT NEXTVAL(s)"))).isGreaterThan(maxId);
      assertThat(Long.parseLong(Sql.scalar(pgReplica, "SELECT nextval('s')"))).isGreaterThan(maxId);
      String log = Files.readString(dir.resolve("run.log"));
      assertThat(log).contains("s is a SEQUENCE: its binlog rows are journaled as sequence advances")
          .doesNotContain("cannot apply");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static TableDigest digest(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      return TableDigest.of(c, "t");
    }
  }
}
