package dev.ferry.node.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.node.run.SourceSpec;
import dev.ferry.testkit.MariaDbServerExtension;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.SqliteDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The initial sync from a MariaDB source carries its SEQUENCEs (issue 16): a sequence {@code s}
 * that has handed out values (a table's ids through {@code DEFAULT NEXTVAL(s)} and plain
 * {@code NEXTVAL}s, its cache of 5 refilled) before the seed's snapshot is, right after the seed and
 * before any further source write, created on a MariaDB replica that lacked it and moved up there,
 * moved up on a PostgreSQL replica that has a sequence {@code s}, and kept in {@code ferry_sequences}
 * on a SQLite replica: each replica's sequence hands out only values above every one the source
 * handed out. A PostgreSQL replica without a sequence {@code s} is seeded all the same (with a
 * warning). A sequence {@code source.tables} leaves out is not carried. And the seed's tables
 * missing on a MariaDB replica (from a MariaDB or a PostgreSQL source), or on a PostgreSQL or SQLite
 * replica of a MariaDB source, are created with their keys and the documented types. The servers are
 * shared by the tests (each its own databases and journal).
 */
@Timeout(240)
class MariaDbSeedSequenceTest {
  @RegisterExtension static final MariaDbServerExtension source = new MariaDbServerExtension();
  @RegisterExtension static final MariaDbServerExtension target = new MariaDbServerExtension();
  @RegisterExtension static final PostgresClusterExtension pg = new PostgresClusterExtension();

  @TempDir Path dir;

  @Test
  void aSeedCarriesTheSourceSequencesAboveEveryValueHandedOut() throws Exception {
    try (SqliteDatabase lite = SqliteDatabase.create()) {
      String src = source.server().createDatabase("app");
      execute(src, "CREATE SEQUENCE s START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE SEQUENCE left_out START WITH 1 INCREMENT BY 1 CACHE 5",
          "CREATE TABLE t (id BIGINT PRIMARY KEY DEFAULT NEXTVAL(s), v VARCHAR(20))",
          "SELECT NEXTVAL(left_out)");
      for (int i = 0; i < 4; i++) {
        execute(src, "INSERT INTO t (v) VALUES ('r" + i + "')");
      }
      execute(src, "SELECT NEXTVAL(s)", "SELECT NEXTVAL(s)", "SELECT NEXTVAL(s)");
      long handedOut = Long.parseLong(rows(src, "SELECT NEXTVAL(s)").getFirst()); // 8; next_not_cached_value is 11
      assertThat(handedOut).isEqualTo(8);
      String maria = target.server().createDatabase("app");
      String postgres = pg.cluster().createDatabase("app");
      execute(postgres, "CREATE SEQUENCE s", "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
      String postgresWithout = pg.cluster().createDatabase("app_without");
      execute(postgresWithout, "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
      MariaDbSourceConfig config = MariaDbSourceConfig.of("m", src)
          .withTables(TableFilter.of(List.of(), List.of("left_out")));
      NodeSpec spec = new NodeSpec(new SourceSpec.MariaDb(config), JournalConfig.defaults(dir.resolve("journal")),
          List.of(replica("maria", maria), replica("pg", postgres), replica("lite", lite.jdbcUrl()),
              replica("pgwithout", postgresWithout)));
      try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of())) {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (System.nanoTime() < deadline && !node.status().replicas().stream()
            .allMatch(r -> r.state() == ReplicaState.STREAMING)) {
          assertThat(node.failedReplicas()).isEmpty();
          Thread.sleep(100);
        }
        assertThat(node.status().replicas()).as("every replica seeded and streaming")
            .allMatch(r -> r.state() == ReplicaState.STREAMING);
        assertThat(rows(maria, "SELECT count(*) FROM t")).containsExactly("4");
        assertThat(Long.parseLong(rows(maria, "SELECT NEXTVAL(s)").getFirst()))
            .as("the MariaDB replica's sequence, created by the seed").isGreaterThan(handedOut);
        assertThat(rows(maria, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            + " AND TABLE_NAME = 'left_out'")).as("a sequence source.tables leaves out").containsExactly("0");
        assertThat(Long.parseLong(rows(postgres, "SELECT nextval('s')").getFirst()))
            .as("the PostgreSQL replica's sequence").isGreaterThan(handedOut);
        assertThat(rows(postgresWithout, "SELECT count(*) FROM t")).as("a PostgreSQL replica without s: seeded (a"
            + " warning), no sequence made").containsExactly("4");
        assertThat(rows(postgresWithout, "SELECT count(*) FROM pg_class WHERE relname = 's'")).containsExactly("0");
        assertThat(rows(lite.jdbcUrl(), "SELECT name, value FROM ferry_sequences"))
            .as("SQLite keeps the value (nothing of left_out)").containsExactly("\"\".s 10");
        assertThat(node.failedReplicas()).isEmpty();
      }
    }
  }

  /**
   * A MariaDB source's tables missing on the replicas are created by the seed: on MariaDB with the
   * source's column types (a TIMESTAMP as DATETIME, text in utf8mb4), on PostgreSQL and SQLite by
   * docs/mariadb-capture.md's Types table; primary keys kept; every value arrives exactly.
   */
  @Test
  void aSeedCreatesAMariaDbSourcesMissingTablesWithTheSourceTypesOrTheirMapping() throws Exception {
    try (SqliteDatabase lite = SqliteDatabase.create()) {
      String src = source.server().createDatabase("typed");
      execute(src, "SET time_zone = '+00:00'", TYPED,
          "CREATE TABLE named (k VARCHAR(20) CHARACTER SET utf8mb4 PRIMARY KEY, n INT NOT NULL)",
          "INSERT INTO typed VALUES (1, 255, 18446744073709551615, '12345678901234567890.12345678901234567890', 1.5,"
              + " 2.25, '2024-02-29', '2024-02-29 23:59:59.123456', '2024-02-29 22:59:59.123456', '-838:59:59', 2155,"
              + " b'1000000001', 'it''s', 'r,w', 'a\u00e4\ud83d\ude00', '{\"a\": 1}', x'00010203', x'ff00', 1)",
          "INSERT INTO typed (id) VALUES (2)",
          "INSERT INTO named VALUES ('k\ud83d\ude00', 1), ('b', 2)",
          "CREATE TABLE pair (a INT, b INT, PRIMARY KEY (b, a))", "INSERT INTO pair VALUES (1, 2)");
      String maria = target.server().createDatabase("typed");
      String postgres = pg.cluster().createDatabase("typed");
      NodeSpec spec = new NodeSpec(new SourceSpec.MariaDb(MariaDbSourceConfig.of("m", src)),
          JournalConfig.defaults(dir.resolve("journal")),
          List.of(replica("maria", maria), replica("pg", postgres), replica("lite", lite.jdbcUrl())));
      try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of())) {
        awaitStreaming(node);
      }
      String columns = "SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY, IS_NULLABLE, IFNULL(CHARACTER_SET_NAME, '-') FROM"
          + " information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '%s' ORDER BY ORDINAL_POSITION";
      assertThat(rows(maria, columns.formatted("typed"))).as("MariaDB: the source's types, TIMESTAMP as DATETIME")
          .isEqualTo(rows(src, columns.formatted("typed")).stream()
              .map(r -> r.replace("timestamp(6)", "datetime(6)").replace("utf8mb3", "utf8mb4")
                  .replace("latin1", "utf8mb4")).toList());
      assertThat(rows(maria, columns.formatted("named"))).containsExactly("k varchar(20) PRI NO utf8mb4",
          "n int(11)  NO -");
      assertThat(rows(maria, "SELECT * FROM typed ORDER BY id")).as("MariaDB: every value")
          .isEqualTo(rows(src, "SELECT * FROM typed ORDER BY id"));
      assertThat(rows(maria, "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
          + " AND TABLE_NAME = 'pair' AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")).as("the key's own order")
          .containsExactly("b", "a");
      assertThat(rows(maria, "SELECT * FROM named ORDER BY n")).isEqualTo(rows(src, "SELECT * FROM named ORDER BY n"));
      assertThat(rows(postgres, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
          + " WHERE a.attrelid = 'typed'::regclass AND a.attnum > 0 ORDER BY a.attnum")).containsExactly(
          "id integer", "tu smallint", "bu numeric(20,0)", "d numeric(40,20)", "f real", "db double precision",
          "dt date", "t6 timestamp(6) without time zone", "ts timestamp(6) with time zone", "tm interval",
          "y smallint", "b bit(10)", "e text", "st text", "u text", "j text", "bn bytea", "bl bytea", "flag smallint");
      assertThat(rows(postgres, "SELECT id, tu, bu, d, f, db, dt, t6, ts AT TIME ZONE 'UTC', tm, y, b, e, st, u, j,"
          + " encode(bn, 'hex'), encode(bl, 'hex'), flag FROM typed ORDER BY id")).containsExactly(
          "1 255 18446744073709551615 12345678901234567890.12345678901234567890 1.5 2.25 2024-02-29"
              + " 2024-02-29 23:59:59.123456 2024-02-29 22:59:59.123456 -838:59:59 2155 1000000001 it's r,w"
              + " a\u00e4\ud83d\ude00 {\"a\": 1} 00010203 ff00 1",
          "2 null null null null null null null null null null null null null null null null null null");
      assertThat(rows(postgres, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p'"
          + " AND connamespace = 'public'::regnamespace ORDER BY conrelid::regclass::text"))
          .containsExactly("PRIMARY KEY (k)", "PRIMARY KEY (b, a)", "PRIMARY KEY (id)");
      assertThat(rows(postgres, "SELECT k, n FROM named ORDER BY n")).containsExactly("k\ud83d\ude00 1", "b 2");
      assertThat(rows(lite.jdbcUrl(), "SELECT name, type, pk FROM pragma_table_info('typed')")).containsExactly(
          "id INTEGER 1", "tu INTEGER 0", "bu TEXT 0", "d TEXT 0", "f REAL 0", "db REAL 0", "dt TEXT 0", "t6 TEXT 0",
          "ts TEXT 0", "tm TEXT 0", "y INTEGER 0", "b TEXT 0", "e TEXT 0", "st TEXT 0", "u TEXT 0", "j TEXT 0",
          "bn BLOB 0", "bl BLOB 0", "flag INTEGER 0");
      assertThat(rows(lite.jdbcUrl(), "SELECT id, tu, typeof(bu), bu, typeof(d), d, f, dt, t6, tm, y, b, e, st, u,"
          + " hex(bn), flag FROM typed WHERE id = 1")).containsExactly("1 255 text 18446744073709551615 text"
          + " 12345678901234567890.12345678901234567890 1.5 2024-02-29 2024-02-29 23:59:59.123456 -838:59:59 2155"
          + " 1000000001 it's r,w a\u00e4\ud83d\ude00 00010203 1");
      assertThat(rows(lite.jdbcUrl(), "SELECT name, type, pk FROM pragma_table_info('named')"))
          .containsExactly("k TEXT 1", "n INTEGER 0");
    }
  }

  /**
   * A PostgreSQL source's tables missing on a MariaDB replica are created by the seed with
   * docs/apply.md's mapping and their primary key, and filled exactly; a table the mapping cannot key
   * (a {@code text} primary key becomes {@code LONGTEXT}, which MariaDB cannot key without a length)
   * fails that replica's seed with an error naming the table and what to do.
   */
  @Test
  void aSeedFromPostgresCreatesTheMissingTablesOnMariaDbByTheMapping() throws Exception {
    String src = pg.cluster().createDatabase("pgsrc");
    execute(src, "CREATE TABLE pgt (id bigint PRIMARY KEY, k varchar(20) NOT NULL, amount numeric(14,3),"
            + " at timestamptz, flag boolean, doc jsonb, raw bytea, tags text[], note text)",
        "INSERT INTO pgt VALUES (1, 'a', 12345678901.125, '2024-02-29 23:59:59.123456+01', true, '{\"a\": 1}',"
            + " '\\x00ff', '{x,y}', 'n\u00e4\ud83d\ude00'), (2, 'b', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        "CREATE TABLE keyed_by_text (k text PRIMARY KEY, v int)", "INSERT INTO keyed_by_text VALUES ('a', 1)");
    String maria = target.server().createDatabase("frompg");
    String textKey = target.server().createDatabase("frompg_textkey");
    NodeSpec spec = new NodeSpec(new SourceSpec.Postgres(PostgresSourceConfig.of("pgsrc", src)),
        JournalConfig.defaults(dir.resolve("journal")), List.of(
            replica(ApplyConfig.defaults("maria", "unset")
                .withFilter(TableFilter.of(List.of(), List.of("public\\.keyed_by_text"))), maria),
            replica(ApplyConfig.defaults("textkey", "unset")
                .withFilter(TableFilter.of(List.of("public\\.keyed_by_text"), List.of())), textKey)));
    try (FerryNode node = FerryNode.start(spec, FerryNode.Role.RUN, List.of())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (System.nanoTime() < deadline && !(state(node, "maria") == ReplicaState.STREAMING
          && state(node, "textkey") == ReplicaState.FAILED)) {
        Thread.sleep(100);
      }
      assertThat(state(node, "maria")).as("%s", node.status().replicas()).isEqualTo(ReplicaState.STREAMING);
      assertThat(state(node, "textkey")).isEqualTo(ReplicaState.FAILED);
      assertThat(node.status().replicas().stream().filter(r -> r.name().equals("textkey")).findFirst().orElseThrow()
          .lastError().orElseThrow()).contains("cannot create the missing table `keyed_by_text`", "LONGTEXT",
          "create it on the target before seeding");
    }
    String columns = "SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY, IS_NULLABLE FROM information_schema.COLUMNS"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pgt' ORDER BY ORDINAL_POSITION";
    assertThat(rows(maria, columns)).containsExactly("id bigint(20) PRI NO", "k varchar(20)  NO",
        "amount decimal(14,3)  YES", "at datetime(6)  YES", "flag tinyint(1)  YES", "doc longtext  YES",
        "raw longblob  YES", "tags longtext  YES", "note longtext  YES");
    assertThat(rows(maria, "SELECT id, k, amount, at, flag, doc, HEX(raw), tags, note FROM pgt ORDER BY id"))
        .containsExactly("1 a 12345678901.125 2024-02-29 22:59:59.123456 1 {\"a\": 1} 00FF {x,y} n\u00e4\ud83d\ude00",
            "2 b null null null null null null null");
  }

  private static ReplicaState state(FerryNode node, String replica) {
    return node.status().replicas().stream().filter(r -> r.name().equals(replica)).findFirst().orElseThrow().state();
  }

  /** Every MariaDB type Ferry captures that the Types table (docs/mariadb-capture.md) maps. */
  private static final String TYPED = "CREATE TABLE typed (id INT PRIMARY KEY, tu TINYINT UNSIGNED,"
      + " bu BIGINT UNSIGNED, d DECIMAL(40,20), f FLOAT, db DOUBLE, dt DATE, t6 DATETIME(6), ts TIMESTAMP(6) NULL,"
      + " tm TIME(6), y YEAR, b BIT(10), e ENUM('red','it''s'), st SET('r','w'), u VARCHAR(40) CHARACTER SET utf8mb4,"
      + " j JSON, bn BINARY(4), bl BLOB, flag BOOLEAN)";

  private static void awaitStreaming(FerryNode node) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline && !node.status().replicas().stream()
        .allMatch(r -> r.state() == ReplicaState.STREAMING)) {
      assertThat(node.failedReplicas()).as("failed: %s", node.status().replicas()).isEmpty();
      Thread.sleep(100);
    }
    assertThat(node.status().replicas()).as("every replica seeded and streaming")
        .allMatch(r -> r.state() == ReplicaState.STREAMING);
  }

  private static ReplicaSpec replica(String name, String url) {
    return replica(ApplyConfig.defaults(name, "unset"), url);
  }

  private static ReplicaSpec replica(ApplyConfig config, String url) {
    return new ReplicaSpec(config, url, new Properties());
  }

  private static void execute(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  /** Each row's columns joined by a space. */
  private static List<String> rows(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      if (url.startsWith("jdbc:mariadb:")) {
        st.execute("SET time_zone = '+00:00'");
      }
      return rows(st.executeQuery(sql));
    }
  }

  private static List<String> rows(ResultSet rs) throws SQLException {
    List<String> out = new ArrayList<>();
    try (rs) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i == 1 ? "" : " ").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }
}
