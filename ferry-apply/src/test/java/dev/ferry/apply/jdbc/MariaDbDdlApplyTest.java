package dev.ferry.apply.jdbc;

import static dev.ferry.apply.jdbc.MariaDbTargets.binlog;
import static dev.ferry.apply.jdbc.MariaDbTargets.ddl;
import static dev.ferry.apply.jdbc.MariaDbTargets.pg;
import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.gtid;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DDL into a MariaDB target on a real server: a MariaDB source's statements applied at their place
 * with their database moved to the replica URL's, each safe to run twice (MariaDB commits DDL on
 * its own, so a crash may come between the DDL and the progress row); a PostgreSQL and a SQLite
 * source's statements mapped through the type mapping; what cannot be mapped stops the replica
 * before the transaction, naming table, statement and GTID, the transactions before it committed.
 */
class MariaDbDdlApplyTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private String url;

  @BeforeEach
  void freshDatabase() throws SQLException {
    url = MariaDbTargets.fresh(mariadb, "ddl", "");
  }

  @Test
  void aMariaDbSourcesDdlIsAppliedAtItsPlaceInItsOwnDatabaseAndGroupsAroundItCommit() throws Exception {
    List<Transaction> stream = List.of(
        binlog(1, 1, ddl("CREATE TABLE `app`.`t` (id INT PRIMARY KEY, v VARCHAR(20))", 1)),
        binlog(2, 1, insert(table("t"), cols("id:int4", "v:text"), 1, "a")),
        binlog(3, 2, ddl("ALTER TABLE t ADD COLUMN w INT, ADD INDEX t_v (v)", 2)),
        binlog(4, 2, insert(table("t"), cols("id:int4", "v:text", "w:int4"), 2, "b", 7)),
        binlog(5, 3, ddl("ALTER TABLE app.t MODIFY COLUMN v VARCHAR(40) NOT NULL", 3)),
        binlog(6, 4, ddl("CREATE UNIQUE INDEX t_w ON t (w)", 4)),
        binlog(7, 5, ddl("ALTER TABLE t DROP COLUMN w", 5)),
        binlog(8, 6, ddl("CREATE TABLE gone (id INT PRIMARY KEY)", 6)),
        binlog(9, 7, ddl("DROP TABLE `gone`", 7)),
        binlog(10, 8, ddl("RENAME TABLE t TO u", 8)),
        binlog(11, 8, insert(table("u"), cols("id:int4", "v:text"), 3, "c")));
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      for (Transaction tx : stream) {
        applier.apply(tx);
      }
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:11"));
      assertThat(applier.position().schemaSequence()).hasValue(8);
    }
    assertThat(rows("SELECT id, v FROM u ORDER BY id")).containsExactly("1|a", "2|b", "3|c");
    assertThat(rows("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA"
        + " = DATABASE() AND TABLE_NAME = 'u' ORDER BY ORDINAL_POSITION")).containsExactly("id|int(11)|NO",
        "v|varchar(40)|NO");
    assertThat(rows("SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND"
        + " TABLE_NAME = 'u' ORDER BY INDEX_NAME")).containsExactly("PRIMARY", "t_v");
    assertThat(rows("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME"
        + " IN ('t', 'gone')")).containsExactly("0");
  }

  @Test
  void everyMappedStatementRunsTwiceAsAfterACrashBetweenItsCommitAndTheProgressRow() throws Exception {
    List<Change.Ddl> mariaDb = List.of(ddl("CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT)", 1),
        ddl("ALTER TABLE t ADD COLUMN w INT, ADD KEY k (w), MODIFY v VARCHAR(10)", 2),
        ddl("ALTER TABLE t CHANGE COLUMN w x BIGINT", 2),
        ddl("CREATE INDEX i ON t (v)", 3), ddl("DROP INDEX i ON t", 4), ddl("ALTER TABLE t DROP COLUMN x", 5),
        ddl("RENAME TABLE t TO u", 6), ddl("ALTER TABLE u RENAME TO t", 7), ddl("DROP TABLE t", 8));
    List<Change.Ddl> postgres = List.of(pg("CREATE TABLE s (id bigint PRIMARY KEY, name text NOT NULL)"),
        pg("ALTER TABLE s ADD COLUMN n numeric(10,2) DEFAULT 0"), pg("CREATE INDEX ON s (n DESC, id)"),
        pg("ALTER TABLE public.s DROP COLUMN n"), pg("ALTER TABLE s RENAME TO s2"), pg("DROP TABLE s2"));
    try (Connection c = DriverManager.getConnection(url)) {
      MariaDbDialect.INSTANCE.markFerrySession(c);
      for (Change.Ddl d : mariaDb) {
        MariaDbDialect.INSTANCE.applyDdl(c, d, SourcePosition.Kind.BINLOG);
        MariaDbDialect.INSTANCE.applyDdl(c, d, SourcePosition.Kind.BINLOG);
      }
      for (Change.Ddl d : postgres) {
        MariaDbDialect.INSTANCE.applyDdl(c, d, SourcePosition.Kind.PG_LSN);
        MariaDbDialect.INSTANCE.applyDdl(c, d, SourcePosition.Kind.PG_LSN);
      }
    }
    assertThat(rows("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME"
        + " NOT LIKE 'ferry%'")).containsExactly("0");
  }

  @Test
  void aDdlTransactionWhoseDdlCommittedBeforeACrashIsAppliedAgainOnRestart() throws Exception {
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      applier.apply(binlog(1, 1, ddl("CREATE TABLE t (id INT PRIMARY KEY)", 1)));
      applier.flush();
    }
    // The state a kill -9 leaves after the ALTER committed on its own and before its progress row did.
    exec("ALTER TABLE t ADD COLUMN w INT");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
      applier.apply(binlog(2, 2, ddl("ALTER TABLE t ADD COLUMN w INT", 2)));
      applier.apply(binlog(3, 2, insert(table("t"), cols("id:int4", "w:int4"), 1, 5)));
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
    }
    assertThat(rows("SELECT id, w FROM t")).containsExactly("1|5");
  }

  @Test
  void aPostgresSourcesDdlIsMappedThroughTheTypeMapping() throws Exception {
    List<Transaction> stream = List.of(
        pgTx(1, 1, pg("CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2),"
            + " opened timestamptz, flag boolean DEFAULT false, code varchar(8) UNIQUE, doc jsonb, raw bytea)")),
        pgTx(2, 1, insert(table("accounts"), cols("id:int8", "owner:text"), 1, "ann")),
        pgTx(3, 2, pg("ALTER TABLE public.accounts ADD COLUMN note character varying(30), DROP COLUMN raw")),
        pgTx(4, 3, pg("CREATE INDEX accounts_opened ON accounts USING btree (opened)")),
        pgTx(5, 3, insert(table("accounts"), cols("id:int8", "owner:text", "note:text"), 2, "bob", "hi")));
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      for (Transaction tx : stream) {
        applier.apply(tx);
      }
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:5"));
    }
    assertThat(rows("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA"
        + " = DATABASE() AND TABLE_NAME = 'accounts' ORDER BY ORDINAL_POSITION")).containsExactly(
        "id|bigint(20)|NO", "owner|longtext|NO", "balance|decimal(12,2)|YES", "opened|datetime(6)|YES",
        "flag|tinyint(1)|YES", "code|varchar(8)|YES", "doc|longtext|YES", "note|varchar(30)|YES");
    assertThat(rows("SELECT id, owner, note, flag FROM accounts ORDER BY id")).containsExactly("1|ann|null|0",
        "2|bob|hi|0");
    assertThat(rows("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = 'accounts' ORDER BY INDEX_NAME")).containsExactly("accounts_opened", "code", "PRIMARY");
  }

  @Test
  void aSqliteSourcesCreateAndAddColumnAreMapped() throws Exception {
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      applier.apply(Transactions.txAt(1, 1, new Change.Ddl("CREATE TABLE \"notes\" (k TEXT PRIMARY KEY, n INTEGER,"
          + " body BLOB)", "main", 1), insert(table("notes"), cols("k:text", "n:int8"), "a", 1)));
      applier.apply(Transactions.txAt(2, 2, new Change.Ddl("ALTER TABLE \"notes\" ADD COLUMN \"r\" REAL", "main", 2)));
      applier.flush();
    }
    assertThat(rows("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = 'notes' ORDER BY ORDINAL_POSITION")).containsExactly("k|varchar(255)", "n|bigint(20)",
        "body|longblob", "r|double");
    assertThat(rows("SELECT k, n FROM notes")).containsExactly("a|1");
  }

  @Test
  void anUnmappableDdlStopsBeforeItsTransactionNamingTableStatementAndGtidTheOnesBeforeCommitted() throws Exception {
    exec("CREATE TABLE t (id BIGINT PRIMARY KEY, v LONGTEXT)");
    String alter = "ALTER TABLE t ALTER COLUMN v TYPE integer USING v::integer";
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      applier.apply(pgTx(1, 1, insert(table("t"), cols("id:int8", "v:text"), 1, "a")));
      assertThatThrownBy(() -> {
        applier.apply(pgTx(2, 2, pg(alter), insert(table("t"), cols("id:int8", "v:text"), 2, "b")));
        applier.flush();
      }).isInstanceOf(ApplyException.class)
          .hasMessageContaining("cannot apply 0-1-2: the MariaDB target cannot take the PostgreSQL DDL '" + alter + "'")
          .hasMessageContaining("(table public.t)")
          .hasMessageContaining("ALTER TABLE … ALTER is not mapped")
          .hasMessageContaining("'ferry skip --replica r1 --gtid 0-1-2'");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(rows("SELECT id FROM t")).containsExactly("1");
  }

  @Test
  void aTypeOutsideTheMappingIsRefusedByNameNothingOfItsTransactionApplied() throws Exception {
    exec("CREATE TABLE t (id BIGINT PRIMARY KEY)");
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      assertThatThrownBy(() -> applier.apply(pgTx(1, 2, insert(table("t"), cols("id:int8"), 1),
          pg("ALTER TABLE t ADD COLUMN d interval"))))
          .hasMessageContaining("column `d` has the PostgreSQL type 'interval', which is not in Ferry's type mapping");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.empty());
    }
    assertThat(rows("SELECT count(*) FROM t")).containsExactly("0");
  }

  /** A PostgreSQL transaction; its DDL gets the transaction's schema sequence. */
  private static Transaction pgTx(long seq, long schemaSequence, Change... changes) {
    List<Change> list = new ArrayList<>();
    for (Change c : changes) {
      list.add(c instanceof Change.Ddl d ? new Change.Ddl(d.command(), d.searchPath(), schemaSequence) : c);
    }
    return new Transaction(gtid(seq), Transactions.T0.plusSeconds(seq), schemaSequence, SourcePosition.pgLsn(seq * 16),
        list);
  }

  private void exec(String sql) throws SQLException {
    MariaDbTargets.execute(url, sql);
  }

  private List<String> rows(String sql) throws SQLException {
    return MariaDbTargets.rows(url, sql);
  }
}
