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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDL from a MariaDB source mid-stream, through the real {@code bin/ferry run}, into a PostgreSQL
 * replica: the {@code ALTER TABLE} is journaled at its exact place; the replica applies the row
 * before it, stops at the ALTER's GTID naming the statement, applies nothing after it; the
 * documented way past it (the DDL by hand, {@code skip-ddl: true} until the GTID is applied, then
 * without) converges, later rows carrying the new column.
 */
@Timeout(300)
class MariaDbDdlToPostgresTest {
  private static final String ALTER = "ALTER TABLE t ADD COLUMN w INT";

  @TempDir Path dir;

  @Test
  void anAlterTableStopsThePostgresReplicaAtItsGtidNamingItAndSkipDdlAfterRunningItByHandGoesPast()
      throws Exception {
    try (MariaDbServer maria = MariaDbServer.start(); PostgresCluster pg = PostgresCluster.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = maria.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO t VALUES (1, 'a')");
      String replica = pg.createDatabase("app");
      Sql.execute(replica, "CREATE TABLE t (id integer PRIMARY KEY, v text)");
      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("pg", replica, "read-write")
          .writeTo(dir.resolve("ferry.yaml"));
      assertThat(cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString()).exitCode()).isZero();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      LogWait.awaitLine(dir.resolve("run.log"), "[replica pg] seeded: ", run, Duration.ofSeconds(120));
      Sql.execute(source, "INSERT INTO t VALUES (2, 'b')", ALTER);
      String alterGtid = Sql.scalar(source, "SELECT @@gtid_binlog_pos");
      Sql.execute(source, "INSERT INTO t VALUES (3, 'c', 7)");
      String stop = LogWait.awaitLine(dir.resolve("run.log"), "[replica pg] cannot apply " + alterGtid + ":", run,
          Duration.ofSeconds(60));
      assertThat(stop).contains("'" + ALTER + "'").contains("skip-ddl");
      assertThat(Sql.scalar(replica, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t")).isEqualTo("1,2");
      FerryCli.terminate(run, Duration.ofSeconds(60));

      Sql.execute(replica, "ALTER TABLE t ADD COLUMN w integer");
      Files.writeString(config, Files.readString(config).replace("    mode: read-write\n",
          "    mode: read-write\n    skip-ddl: true\n"));
      run = cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
      LogWait.awaitLine(dir.resolve("run2.log"), "skipping DDL (skip-ddl is set): " + ALTER, run,
          Duration.ofSeconds(60));
      assertThat(awaitSame(source, replica)).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      Files.writeString(config, Files.readString(config).replace("    skip-ddl: true\n", ""));
      run = cli.start(dir.resolve("run3.log"), "run", "-c", config.toString());
      Sql.execute(source, "INSERT INTO t VALUES (4, 'd', 8)", "UPDATE t SET w = 1 WHERE id = 1");
      assertThat(awaitSame(source, replica)).as("log: %s", Files.readString(dir.resolve("run3.log"))).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  private static boolean awaitSame(String source, String replica) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection s = DriverManager.getConnection(source); Connection r = DriverManager.getConnection(replica)) {
        if (TableDigest.of(s, "t").equals(TableDigest.of(r, "t"))) {
          return true;
        }
      }
      Thread.sleep(300);
    }
    return false;
  }
}
