package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDL into a MariaDB replica through the real {@code bin/ferry run}: a MariaDB source's DDL
 * mid-stream under a small insert workload (ADD COLUMN, CREATE INDEX, CREATE TABLE, MODIFY, RENAME,
 * DROP TABLE, RENAME COLUMN and DROP COLUMN of a table the workload does not write; {@code run} killed with SIGKILL
 * once right after a DDL) applied at its place, the tables' digests and columns then equal; a
 * PostgreSQL source's ADD COLUMN and CREATE TABLE mapped (types as docs/apply.md's table says),
 * and an ALTER COLUMN … TYPE refused by
 * table, statement and GTID, nothing after it applied, until the DDL by hand and {@code ferry skip}
 * take the replica past it; a SQLite source's ADD COLUMN and new table mapped, and a column
 * renamed in one SQLite transaction with rows before and after it (rows pending at the schema
 * change: capture journals them with the DDL) applied once each; and {@code run} killed with SIGKILL
 * after such a transaction's rows before its DDL and the DDL committed, before its progress row.
 */
@Timeout(400)
class MariaDbDdlReplicaTest {
  private static final String COLUMNS = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
      + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'ferry%' ORDER BY TABLE_NAME, ORDINAL_POSITION";

  @TempDir Path dir;

  @Test
  void aMariaDbSourcesDdlMidStreamUnderAWorkloadIsAppliedAndTheReplicaConverges() throws Exception {
    try (MariaDbServer source = MariaDbServer.start(); MariaDbServer target = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String src = source.createDatabase("app");
      String replica = target.createDatabase("app");
      Sql.execute(src, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO t VALUES (1, 'a')");
      Sql.execute(replica, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
      Path config = dir.resolve("ferry.yaml");
      Process run = runSeeded(cli, src, replica, config);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger inserted = new AtomicInteger(1);
      Thread workload = new Thread(() -> insertUntil(src, stop, inserted), "workload");
      workload.start();
      List<String> statements = List.of("ALTER TABLE t ADD COLUMN w INT", "CREATE INDEX t_v ON t (v)",
          "CREATE TABLE u (id INT PRIMARY KEY, note VARCHAR(10))", "INSERT INTO u VALUES (1, 'one'), (2, 'two')",
          "ALTER TABLE app.t MODIFY COLUMN v VARCHAR(40) NOT NULL", "UPDATE t SET w = id WHERE id < 5",
          "RENAME TABLE u TO u2", "CREATE TABLE gone (id INT PRIMARY KEY)", "DROP TABLE gone",
          "ALTER TABLE u2 RENAME COLUMN note TO label", "ALTER TABLE u2 DROP COLUMN label");
      for (int i = 0; i < statements.size(); i++) {
        awaitMore(inserted, 20);
        Sql.execute(src, statements.get(i));
        if (i == 4) { // capture and apply killed right after a DDL, while the workload goes on
          FerryCli.kill9(run);
          run = cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
          // Caught up before the next DDL: capture cannot read a row written before a DDL that
          // changed its table after that DDL (docs/mariadb-capture.md, 'Not supported yet').
          awaitRow(replica, inserted.get());
        }
      }
      awaitMore(inserted, 20);
      stop.set(true);
      workload.join();
      assertThat(awaitSame(src, replica, List.of("t", "u2"))).as("log: %s", log("run2.log")).isTrue();
      assertThat(Sql.rows(replica, COLUMNS)).isEqualTo(Sql.rows(src, COLUMNS));
      assertThat(Sql.rows(replica, "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA ="
          + " DATABASE() AND TABLE_NAME = 't' ORDER BY INDEX_NAME")).containsExactly("PRIMARY", "t_v");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aPostgresSourcesDdlIsMappedAndAnUnmappableOneStopsUntilDoneByHandAndSkipped() throws Exception {
    try (PostgresCluster pg = PostgresCluster.start(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = pg.createDatabase("app");
      String replica = maria.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id bigint PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
      Sql.execute(replica, "CREATE TABLE t (id BIGINT PRIMARY KEY, v LONGTEXT)");
      Path config = dir.resolve("ferry.yaml");
      Process run = runSeeded(cli, source, replica, config);
      String refused = "ALTER TABLE t ALTER COLUMN n TYPE bigint";
      Sql.execute(source, "ALTER TABLE t ADD COLUMN n integer", "INSERT INTO t VALUES (2, 'b', 7)",
          "CREATE TABLE extra (id bigint PRIMARY KEY, note varchar(20) NOT NULL)",
          refused, "INSERT INTO t VALUES (3, 'c', 5000000000)");
      String stop = LogWait.awaitLine(dir.resolve("run.log"), "[replica maria] cannot apply ", run,
          Duration.ofSeconds(90));
      assertThat(stop).contains("the MariaDB target cannot take the PostgreSQL DDL '" + refused + "'",
          "(table public.t)", "ferry skip --replica maria --gtid ");
      Matcher gtid = Pattern.compile("cannot apply (\\S+):").matcher(stop);
      assertThat(gtid.find()).isTrue();
      assertThat(Sql.rows(replica, "SELECT id FROM t ORDER BY id")).containsExactly("1", "2");
      // Its rows would need 'ferry table add' (a PostgreSQL publication takes a new table then): the table is there.
      assertThat(Sql.rows(replica, COLUMNS)).containsExactly("extra|id|bigint(20)", "extra|note|varchar(20)",
          "t|id|bigint(20)", "t|v|longtext", "t|n|int(11)");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();

      Sql.execute(replica, "ALTER TABLE t MODIFY n BIGINT");
      FerryCli.Result skip = cli.run(Duration.ofMinutes(1), "skip", "-c", config.toString(), "--replica", "maria",
          "--gtid", gtid.group(1), "--note", "changed n to BIGINT by hand");
      assertThat(skip.exitCode()).as("skip: %s", skip.all()).isZero();
      run = cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
      Sql.execute(source, "INSERT INTO t VALUES (4, 'd', 6000000000)");
      assertThat(awaitSame(source, replica, List.of("t"))).as("log: %s", log("run2.log")).isTrue();
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aSqliteSourcesAddColumnNewTableAndRenamedColumnWithRowsPendingAreMappedIntoMariaDb() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = db.jdbcUrl();
      String replica = maria.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
      Sql.execute(replica, "CREATE TABLE t (id BIGINT PRIMARY KEY, v LONGTEXT)");
      Path config = dir.resolve("ferry.yaml");
      Process run = runSeeded(cli, source, replica, config);
      Sql.execute(source, "INSERT INTO t VALUES (2, 'b')");
      assertThat(awaitSame(source, replica, List.of("t"))).isTrue();
      Sql.execute(source, "ALTER TABLE t ADD COLUMN w INTEGER", "CREATE TABLE n (k TEXT PRIMARY KEY, x REAL)",
          "INSERT INTO n VALUES ('one', 1.5)", "INSERT INTO t VALUES (3, 'c', 7)");
      assertThat(awaitSame(source, replica, List.of("t", "n"))).as("log: %s", log("run.log")).isTrue();
      assertThat(Sql.rows(replica, COLUMNS)).containsExactly("n|k|varchar(255)", "n|x|double", "t|id|bigint(20)",
          "t|v|longtext", "t|w|bigint(20)");
      // Rows pending at a schema change: capture journals them with the DDL, in one transaction.
      try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("INSERT INTO n VALUES ('two', 2.5)");
        st.execute("INSERT INTO t VALUES (4, 'd', 8)");
        st.execute("ALTER TABLE t RENAME COLUMN w TO w2");
        st.execute("INSERT INTO t VALUES (5, 'e', 9)");
        c.commit();
      }
      assertThat(awaitSame(source, replica, List.of("t", "n"))).as("log: %s", log("run.log")).isTrue();
      assertThat(Sql.rows(replica, COLUMNS)).contains("t|w2|bigint(20)");
      assertThat(Sql.scalar(replica, "SELECT count(*) FROM ferry_ddl_steps")).isEqualTo("0");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /**
   * A SIGKILL between a DDL's own commit and the progress row's, with rows before the DDL committed
   * as a step: a local session's uncommitted insert of the key the transaction inserts after its DDL
   * holds Ferry's insert in a lock wait, so {@code run} is killed with the DDL applied and the rest
   * not. Restarted, it applies the transaction again: the rows before the DDL once, the DDL again
   * as a no-op, the rest.
   */
  @Test
  void aKillBetweenADdlAndItsProgressRowLosesAndRepeatsNothing() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); MariaDbServer maria = MariaDbServer.start();
        FerryCli cli = new FerryCli(dir)) {
      String source = db.jdbcUrl();
      String replica = maria.createDatabase("app");
      Sql.execute(source, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "CREATE TABLE log (n INTEGER PRIMARY KEY)",
          "INSERT INTO t VALUES (1, 'a')");
      Sql.execute(replica, "CREATE TABLE t (id BIGINT PRIMARY KEY, v LONGTEXT)", "CREATE TABLE log (n BIGINT PRIMARY KEY)");
      Path config = dir.resolve("ferry.yaml");
      Process run = runSeeded(cli, source, replica, config);
      try (Connection holder = DriverManager.getConnection(replica); Statement local = holder.createStatement()) {
        holder.setAutoCommit(false);
        local.execute("INSERT INTO log VALUES (5)");
        try (Connection c = DriverManager.getConnection(source); Statement st = c.createStatement()) {
          c.setAutoCommit(false);
          st.execute("INSERT INTO t VALUES (2, 'b')");
          st.execute("ALTER TABLE t RENAME COLUMN v TO v2");
          st.execute("INSERT INTO log VALUES (5)");
          c.commit();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Sql.scalar(replica, "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")
            .equals("1")) {
          assertThat(System.nanoTime()).as("Ferry waits for the local insert; log: %s", log("run.log"))
              .isLessThan(deadline);
          Thread.sleep(100);
        }
        FerryCli.kill9(run);
        holder.rollback();
      }
      assertThat(Sql.rows(replica, "SELECT id FROM t ORDER BY id")).as("the rows before the DDL, committed")
          .containsExactly("1", "2");
      assertThat(Sql.rows(replica, COLUMNS)).contains("t|v2|longtext");
      assertThat(Sql.scalar(replica, "SELECT count(*) FROM log")).isEqualTo("0");
      run = cli.start(dir.resolve("run2.log"), "run", "-c", config.toString());
      assertThat(awaitSame(source, replica, List.of("t", "log"))).as("log: %s", log("run2.log")).isTrue();
      assertThat(Sql.scalar(replica, "SELECT count(*) FROM ferry_conflicts")).isEqualTo("0");
      assertThat(Sql.scalar(replica, "SELECT count(*) FROM ferry_ddl_steps")).isEqualTo("0");
      assertThat(FerryCli.terminate(run, Duration.ofSeconds(60))).isZero();
    }
  }

  /** Sets Ferry up from {@code source} to the MariaDB {@code replica} and starts {@code run}; returns once the replica is seeded. */
  private Process runSeeded(FerryCli cli, String source, String replica, Path config) throws Exception {
    FerryYaml.source(source, dir.resolve("journal")).replica("maria", replica, "read-write").writeTo(config);
    assertThat(cli.run(Duration.ofMinutes(2), "setup", "-c", config.toString()).exitCode()).isZero();
    Process run = cli.start(dir.resolve("run.log"), "run", "-c", config.toString());
    LogWait.awaitLine(dir.resolve("run.log"), "[replica maria] seeded: ", run, Duration.ofSeconds(120));
    return run;
  }

  private static void insertUntil(String url, AtomicBoolean stop, AtomicInteger inserted) {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement insert = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
      while (!stop.get()) {
        int id = inserted.get() + 1;
        insert.setInt(1, id);
        insert.setString(2, "row " + id);
        insert.executeUpdate();
        inserted.set(id);
        Thread.sleep(10);
      }
    } catch (Exception e) {
      throw new IllegalStateException("the workload failed", e);
    }
  }

  private static void awaitRow(String replica, int id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!Sql.scalar(replica, "SELECT count(*) FROM t WHERE id = " + id).equals("1")) {
      assertThat(System.nanoTime()).as("row %d on the replica within 120 s", id).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void awaitMore(AtomicInteger inserted, int more) throws InterruptedException {
    int target = inserted.get() + more;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (inserted.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(inserted.get()).as("the workload inserts").isGreaterThanOrEqualTo(target);
  }

  private static boolean awaitSame(String source, String replica, List<String> tables) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection s = DriverManager.getConnection(source); Connection r = DriverManager.getConnection(replica)) {
        if (TableDigest.ofAll(s, tables).equals(TableDigest.ofAll(r, tables))) {
          return true;
        }
      } catch (java.sql.SQLException e) {
        // a table not there yet on the replica
      }
      Thread.sleep(300);
    }
    return false;
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (java.io.IOException e) {
      return "(none)";
    }
  }
}
