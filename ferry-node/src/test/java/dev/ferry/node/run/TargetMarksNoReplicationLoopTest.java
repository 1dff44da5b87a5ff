package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.mariadb.MariaDbControlTables;
import dev.ferry.testkit.MariaDbServer;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A (SQLite) → B applies; B is itself captured into C (SQLite). B is a MariaDB database (with
 * {@code log_slave_updates=ON}, what Ferry applied there wrote B's progress table in the same
 * transaction, or is DDL ending with Ferry's mark; with MariaDB's default, off, it is not in B's
 * binlog at all) or a SQLite file (what Ferry applied there lies between its marks in B's change table):
 * either way it is not captured again, a local write on B is, and Ferry's control tables never
 * are. With {@code source.forward-origins: true} the replicated changes are captured too.
 */
@Timeout(300)
class TargetMarksNoReplicationLoopTest {
  private static final String FORWARD = "  forward-origins: true\n";

  @TempDir Path dir;

  /** The binlog capture knows the progress table by this name (ferry-capture cannot see ferry-apply). */
  @Test
  void theMariaDbCaptureMarkerIsTheNameTheApplyGivesTheProgressTable() {
    assertThat(MariaDbControlTables.INSTANCE.progress()).isEqualTo("ferry_replication_control");
  }

  /** A control table the capture does not know would be captured and stop the next hop (as ferry_ddl_steps did). */
  @Test
  void theMariaDbCaptureLeavesOutEveryControlTableTheApplyCreates() {
    assertThat(dev.ferry.capture.binlog.MariaDbCapture.controlTables())
        .containsExactlyInAnyOrderElementsOf(MariaDbControlTables.INSTANCE.all());
  }

  @Test
  void changesAppliedToMariaDbAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(viaMariaDb("", false, true)).containsExactly(1000);
  }

  /**
   * A creates a table: Ferry applies the CREATE TABLE to B (a binlog group of its own, marked as
   * applied) and the table's rows; B's capture leaves both out, so C (SQLite, which would stop at
   * a MariaDB source's DDL) goes on to B's local write.
   */
  @Test
  void ddlAppliedToMariaDbIsNotCapturedAgainEither() throws Exception {
    assertThat(viaMariaDb("", true, true)).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesWhatWasAppliedToMariaDbToo() throws Exception {
    assertThat(viaMariaDb(FORWARD, false, true)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  /**
   * With MariaDB's default {@code log_slave_updates=OFF} on B, Ferry's sessions there do not
   * binlog (as MariaDB's own replica threads): nothing applied reaches B's binlog, so even
   * {@code forward-origins: true} finds only B's local write.
   */
  @Test
  void withoutLogSlaveUpdatesWhatWasAppliedToMariaDbIsNotInItsBinlogAtAll() throws Exception {
    assertThat(viaMariaDb(FORWARD, false, false)).containsExactly(1000);
  }

  @Test
  void changesAppliedToSqliteAreNotCapturedAgainButLocalWritesAre() throws Exception {
    assertThat(viaSqlite("")).containsExactly(1000);
  }

  @Test
  void forwardOriginsCapturesWhatWasAppliedToSqliteToo() throws Exception {
    assertThat(viaSqlite(FORWARD)).containsExactly(1, 2, 3, 4, 5, 1000);
  }

  private List<Integer> viaMariaDb(String bSource, boolean ddl, boolean logSlaveUpdates) throws Exception {
    try (MariaDbServer server = MariaDbServer.start(Map.of("log-slave-updates", logSlaveUpdates ? "ON" : "OFF"));
        SqliteDatabase a = SqliteDatabase.create();
        SqliteDatabase c = SqliteDatabase.create()) {
      String b = server.createDatabase("b");
      try (Connection cb = DriverManager.getConnection(b); Statement st = cb.createStatement()) {
        st.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB");
      }
      createItems(a, c);
      List<Integer> onC = LoopRelay.relay(dir, a.jdbcUrl(), b, c.jdbcUrl(), bSource, (onA, first) -> {
        if (ddl) {
          // SQLite capture journals the rows written before a schema change with it; a MariaDB
          // target takes DDL only in a transaction of its own.
          assertThat(first.awaitCaughtUp(Duration.ofSeconds(120))).as("A → B applied").isTrue();
          onA.execute("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT)");
          onA.execute("INSERT INTO other VALUES (1, 'from a')");
        }
      });
      if (ddl) {
        assertThat(LoopRelay.count(b, "SELECT count(*) FROM other")).as("A's new table and its row, on B").isOne();
        assertThat(LoopRelay.count(c.jdbcUrl(), "SELECT count(*) FROM sqlite_schema WHERE name = 'other'"))
            .as("the table Ferry created on B, not created again on C").isZero();
      }
      assertThat(LoopRelay.count(c.jdbcUrl(), "SELECT count(*) FROM ferry_replication_control"))
          .as("C's own progress row; B's progress rows never copied there").isOne();
      return onC;
    }
  }

  private List<Integer> viaSqlite(String bSource) throws Exception {
    try (SqliteDatabase a = SqliteDatabase.create(); SqliteDatabase b = SqliteDatabase.create();
        SqliteDatabase c = SqliteDatabase.create()) {
      createItems(a, b, c);
      List<Integer> onC = LoopRelay.relay(dir, a.jdbcUrl(), b.jdbcUrl(), c.jdbcUrl(), bSource, (onA, first) -> {
      });
      assertThat(LoopRelay.count(c.jdbcUrl(), "SELECT count(*) FROM ferry_replication_control"))
          .as("C's own progress row; B's progress rows never copied there").isOne();
      return onC;
    }
  }

  private static void createItems(SqliteDatabase... databases) throws Exception {
    for (SqliteDatabase lite : databases) {
      try (Connection c = lite.connect(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
      }
    }
  }
}
