package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only MariaDB replica through the real {@code bin/ferry}: {@code ferry setup} with a
 * replica user lacking {@code READ_ONLY ADMIN} is refused (exit 1) naming the privilege and the
 * grant, nothing made read-only; with a user that has it (the test kit's root), the server's
 * {@code read_only} is on under {@code ferry run}, an application user's insert is refused while
 * the source's rows still arrive, and {@code ferry teardown --replicas} puts {@code read_only}
 * back.
 */
@Timeout(300)
class MariaDbReadOnlyReplicaTest {
  @TempDir Path dir;

  @Test
  void onlyFerryWritesToAReadOnlyMariaDbReplicaAndAFerryUserWithoutThePrivilegeIsRefused() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = db.jdbcUrl();
      String replica = maria.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
      Sql.execute(replica, "CREATE TABLE t (id BIGINT PRIMARY KEY, v LONGTEXT)",
          "CREATE USER app@'127.0.0.1'", "GRANT ALL ON app.* TO app@'127.0.0.1'");
      String asApp = replica.replace("user=root", "user=app");

      Path weak = FerryYaml.source(source, dir.resolve("journal-weak")).replica("maria", asApp, "read-only")
          .writeTo(dir.resolve("weak.yaml"));
      FerryCli.Result refused = cli.run(Duration.ofMinutes(2), "setup", "-c", weak.toString());
      assertThat(refused.exitCode()).as("setup: %s", refused.all()).isEqualTo(1);
      assertThat(refused.all()).contains("mode: read-only sets MariaDB's global read_only")
          .contains("GRANT READ_ONLY ADMIN ON *.* TO 'app'@'127.0.0.1', or set mode: read-write")
          .doesNotContain("\tat ");
      assertThat(Sql.scalar(replica, "SELECT @@GLOBAL.read_only")).isEqualTo("0");

      Path config = FerryYaml.source(source, dir.resolve("journal")).replica("maria", replica, "read-only")
          .writeTo(dir.resolve("ferry.yaml"));
      FerryCli.Result setup = cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString());
      assertThat(setup.exitCode()).as("setup: %s", setup.all()).isZero();
      Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
      LogWait.awaitLine(dir.resolve("run.log"), "[replica maria] seeded: ", run, Duration.ofSeconds(120));
      assertThat(Sql.scalar(replica, "SELECT @@GLOBAL.read_only")).isEqualTo("1");
      assertThatThrownBy(() -> Sql.execute(asApp, "INSERT INTO t VALUES (99, 'local')"))
          .hasMessageContaining("--read-only option");
      Sql.execute(source, "INSERT INTO t VALUES (2, 'b')");
      awaitRows(replica, "2", run);
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      FerryCli.Result teardown = cli.run(Duration.ofMinutes(2), "teardown", "-c", config.toString(), "--replicas");
      assertThat(teardown.exitCode()).as("teardown: %s", teardown.all()).isZero();
      assertThat(Sql.scalar(replica, "SELECT @@GLOBAL.read_only")).isEqualTo("0");
      Sql.execute(asApp, "INSERT INTO t VALUES (99, 'local')");
    }
  }

  private void awaitRows(String replica, String count, Process run) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!Sql.scalar(replica, "SELECT count(*) FROM t").equals(count)) {
      assertThat(run.isAlive()).as("run: %s", Files.readString(dir.resolve("run.log"))).isTrue();
      assertThat(System.nanoTime()).as("%s rows on the replica within 120 s", count).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
