package dev.ferry.apply.jdbc;

import static dev.ferry.apply.jdbc.MariaDbTargets.binlog;
import static dev.ferry.apply.jdbc.MariaDbTargets.ddl;
import static dev.ferry.apply.jdbc.MariaDbTargets.pg;
import static dev.ferry.journal.fixtures.Transactions.cols;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DDL applied again after it took effect, on a real MariaDB server: MariaDB commits a DDL on its
 * own, so a {@code kill -9} between the DDL and the progress row's commit makes the restarted
 * replica run the DDL's transaction again. Every ALTER form (and RENAME TABLE) run twice leaves
 * what running it once leaves, an index or primary key dropped and added in one statement too. A
 * transaction with row changes before its DDL (a SQLite source's rows pending at a schema change)
 * applies each row once, also when applied again after its rows before a DDL committed.
 */
@Timeout(300)
class MariaDbDdlRerunTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Test
  void everyAlterFormRunTwiceLeavesWhatRunningItOnceLeaves() throws Exception {
    List<Change.Ddl> mariaDb = List.of(
        ddl("CREATE TABLE p (id INT PRIMARY KEY)", 1),
        ddl("CREATE TABLE t (id INT NOT NULL, a INT, b INT NOT NULL, c INT, d INT, e TEXT, KEY ka (a), KEY kc (c))", 1),
        ddl("ALTER TABLE t RENAME COLUMN a TO a2", 1), ddl("ALTER TABLE app.t RENAME INDEX ka TO kb", 1),
        ddl("ALTER TABLE t RENAME KEY kc TO kd", 1), ddl("ALTER TABLE t ADD PRIMARY KEY (id)", 1),
        ddl("ALTER TABLE t ADD UNIQUE (b)", 1), ddl("ALTER TABLE t ADD CONSTRAINT uc UNIQUE KEY (c)", 1),
        ddl("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY fki (d) REFERENCES p (id)", 1),
        ddl("ALTER TABLE t ADD FOREIGN KEY fk2 (d) REFERENCES p (id)", 1),
        ddl("ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0)", 1), ddl("ALTER TABLE t ADD FULLTEXT INDEX ft (e)", 1),
        ddl("ALTER TABLE t ADD INDEX ia (a2), ADD COLUMN f INT, ADD KEY (f)", 1),
        ddl("ALTER TABLE t CHANGE COLUMN c c2 BIGINT, MODIFY COLUMN e VARCHAR(100)", 1),
        ddl("ALTER TABLE t DROP INDEX ia, DROP KEY f", 1), ddl("ALTER TABLE t DROP FOREIGN KEY fk, DROP FOREIGN KEY fk2", 1),
        ddl("ALTER TABLE t DROP CONSTRAINT ck", 1), ddl("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b)", 1),
        ddl("ALTER TABLE t DROP INDEX kb, ADD INDEX kb (a2, b)", 1),
        ddl("ALTER TABLE t DROP COLUMN d, DROP f", 1), ddl("CREATE INDEX ie ON t (e)", 1), ddl("DROP INDEX ie ON t", 1),
        ddl("RENAME TABLE t TO u", 1), ddl("ALTER TABLE u RENAME TO v", 1));
    List<Change.Ddl> postgres = List.of(pg("CREATE TABLE s (id bigint PRIMARY KEY, name text NOT NULL)"),
        pg("ALTER TABLE s RENAME COLUMN name TO label"), pg("ALTER TABLE public.s RENAME id TO key"));
    List<Change.Ddl> sqlite = List.of(new Change.Ddl("CREATE TABLE \"q\" (k TEXT PRIMARY KEY, n INTEGER)", "main", 1),
        new Change.Ddl("ALTER TABLE \"q\" RENAME COLUMN \"n\" TO \"m\"", "main", 2));
    String once = MariaDbTargets.fresh(mariadb, "once", "");
    String twice = MariaDbTargets.fresh(mariadb, "twice", "");
    apply(once, 1, mariaDb, postgres, sqlite);
    apply(twice, 2, mariaDb, postgres, sqlite);
    List<String> schema = MariaDbTargets.rows(once, "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE"
        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE 'ferry%'"
        + " ORDER BY TABLE_NAME, ORDINAL_POSITION");
    assertThat(schema).containsExactly("p|id|int(11)|NO", "q|k|varchar(255)|NO", "q|m|bigint(20)|YES",
        "s|key|bigint(20)|NO", "s|label|longtext|NO", "v|id|int(11)|NO", "v|a2|int(11)|YES", "v|b|int(11)|NO",
        "v|c2|bigint(20)|YES", "v|e|varchar(100)|YES");
    for (String table : List.of("p", "q", "s", "v")) {
      assertThat(MariaDbTargets.rows(twice, "SHOW CREATE TABLE " + table))
          .as("table %s after every statement ran twice", table)
          .isEqualTo(MariaDbTargets.rows(once, "SHOW CREATE TABLE " + table));
    }
    assertThat(MariaDbTargets.rows(twice, "SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM"
        + " information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'v' GROUP BY INDEX_NAME"
        + " ORDER BY INDEX_NAME")).containsExactly("b|b", "ft|e", "kb|a2,b", "kd|c2", "PRIMARY|id,b", "uc|c2");
  }

  @Test
  void aRenameColumnThatCommittedBeforeACrashIsAppliedAgainOnRestartWithItsRows() throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "rerun", "");
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      applier.apply(binlog(1, 1, ddl("CREATE TABLE t (id INT PRIMARY KEY, v INT, KEY kv (v))", 1)));
      applier.flush();
    }
    // The state a kill -9 leaves after the ALTER committed on its own and before its progress row did.
    MariaDbTargets.execute(url, "ALTER TABLE t RENAME COLUMN v TO w, RENAME INDEX kv TO kw");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
      applier.apply(binlog(2, 2, ddl("ALTER TABLE t RENAME COLUMN v TO w, RENAME INDEX kv TO kw", 2)));
      applier.apply(binlog(3, 2, insert(table("t"), cols("id:int4", "w:int4"), 1, 5)));
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
    }
    assertThat(MariaDbTargets.rows(url, "SELECT id, w FROM t")).containsExactly("1|5");
  }

  @Test
  void rowsBeforeAndBetweenDdlOfOneTransactionApplyOnce() throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "steps", "");
    MariaDbTargets.execute(url, "CREATE TABLE log (n INT)"); // no key: a row applied twice would show twice
    MariaDbTargets.execute(url, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    // A SQLite source's journal transaction when rows were pending at its schema changes.
    Transaction tx = Transactions.txAt(1, 2, logged(1), insert(table("t"), cols("id:int8"), 1), logged(2),
        sqlite("ALTER TABLE \"t\" ADD COLUMN \"v\" INTEGER", 1), logged(3),
        insert(table("t"), cols("id:int8", "v:int8"), 2, 20), sqlite("CREATE INDEX \"t_v\" ON \"t\" (\"v\")", 2),
        logged(4));
    try (Applier applier = JdbcApplier.open(ApplyConfig.defaults("r1", "src-1"), () -> DriverManager.getConnection(url))) {
      applier.apply(tx);
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
      assertThat(applier.position().schemaSequence()).hasValue(2);
    }
    assertThat(MariaDbTargets.rows(url, "SELECT n FROM log ORDER BY n")).containsExactly("1", "2", "3", "4");
    assertThat(MariaDbTargets.rows(url, "SELECT id, v FROM t ORDER BY id")).containsExactly("1|null", "2|20");
    assertThat(MariaDbTargets.rows(url, "SELECT count(*) FROM ferry_ddl_steps")).containsExactly("0");
  }

  /**
   * The transaction stops at a DDL MariaDB refuses, after its rows before the DDL committed with
   * their step record; applied again (here after the fix by hand, as after any crash at that
   * point), those rows are passed over, the DDL and the rest applied, each row once.
   */
  @Test
  void aTransactionAppliedAgainAfterItsRowsBeforeADdlCommittedAppliesThemOnce() throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "again", "");
    MariaDbTargets.execute(url, "CREATE TABLE log (n INT)");
    MariaDbTargets.execute(url, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    Transaction tx = Transactions.txAt(1, 2, logged(1), logged(2), sqlite("ALTER TABLE \"t\" ADD COLUMN \"w\" INTEGER",
        1), logged(3), sqlite("CREATE INDEX \"t_v\" ON \"t\" (\"v\")", 2), logged(4));
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThatThrownBy(() -> {
        applier.apply(tx);
        applier.flush();
      }).isInstanceOf(ApplyException.class).hasMessageContaining("cannot apply 0-1-1")
          .hasMessageContaining("CREATE INDEX");
      assertThat(applier.position().applied()).isEqualTo(GtidSet.empty());
    }
    assertThat(MariaDbTargets.rows(url, "SELECT n FROM log ORDER BY n")).containsExactly("1", "2", "3");
    assertThat(MariaDbTargets.rows(url, "SELECT gtid, ddls FROM ferry_ddl_steps")).containsExactly("0-1-1|2");
    MariaDbTargets.execute(url, "ALTER TABLE t ADD COLUMN v BIGINT");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      applier.apply(tx);
      applier.flush();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(MariaDbTargets.rows(url, "SELECT n FROM log ORDER BY n")).containsExactly("1", "2", "3", "4");
    assertThat(MariaDbTargets.rows(url, "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA ="
        + " DATABASE() AND TABLE_NAME = 't' ORDER BY INDEX_NAME")).containsExactly("PRIMARY", "t_v");
    assertThat(MariaDbTargets.rows(url, "SELECT count(*) FROM ferry_ddl_steps")).containsExactly("0");
  }

  /** As above for a chunked transaction, streamed from the journal in parts. */
  @Test
  void aChunkedTransactionAppliedAgainAfterItsRowsBeforeADdlCommittedAppliesThemOnce(@TempDir Path journal)
      throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "chunked", "");
    MariaDbTargets.execute(url, "CREATE TABLE log (n INT)");
    MariaDbTargets.execute(url, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    List<Change> changes = new ArrayList<>();
    IntStream.rangeClosed(1, 150).forEach(n -> changes.add(logged(n)));
    changes.add(sqlite("ALTER TABLE \"t\" ADD COLUMN \"w\" INTEGER", 1));
    IntStream.rangeClosed(151, 250).forEach(n -> changes.add(logged(n)));
    changes.add(sqlite("CREATE INDEX \"t_v\" ON \"t\" (\"v\")", 2));
    IntStream.rangeClosed(251, 300).forEach(n -> changes.add(logged(n)));
    LargeTxs.journal(journal, List.of(Transactions.txAt(1, 2, changes.toArray(Change[]::new))));
    ApplyConfig config = ApplyConfig.defaults("r1", "src-1");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThatThrownBy(() -> LargeTxs.apply(applier, journal)).hasMessageContaining("CREATE INDEX");
    }
    assertThat(MariaDbTargets.rows(url, "SELECT count(*), min(n), max(n) FROM log")).containsExactly("250|1|250");
    MariaDbTargets.execute(url, "ALTER TABLE t ADD COLUMN v BIGINT");
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(url))) {
      assertThat(LargeTxs.apply(applier, journal)).as("chunked transactions").isEqualTo(1);
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:1"));
    }
    assertThat(MariaDbTargets.rows(url, "SELECT count(*), count(DISTINCT n), min(n), max(n) FROM log"))
        .containsExactly("300|300|1|300");
    assertThat(MariaDbTargets.rows(url, "SELECT count(*) FROM ferry_ddl_steps")).containsExactly("0");
  }

  private static Change logged(int n) {
    return insert(table("log"), cols("n:int8"), n);
  }

  private static Change.Ddl sqlite(String sql, long schemaSequence) {
    return new Change.Ddl(sql, "main", schemaSequence);
  }

  /** Applies each statement {@code times} times in a row; the lists are a MariaDB, a PostgreSQL and a SQLite source's. */
  @SafeVarargs
  private static void apply(String url, int times, List<Change.Ddl>... lists) throws Exception {
    try (Connection c = DriverManager.getConnection(url)) {
      MariaDbDialect.INSTANCE.markFerrySession(c);
      SourcePosition.Kind[] kinds = {SourcePosition.Kind.BINLOG, SourcePosition.Kind.PG_LSN,
          SourcePosition.Kind.CHANGE_ID};
      for (int k = 0; k < lists.length; k++) {
        for (Change.Ddl d : lists[k]) {
          for (int i = 0; i < times; i++) {
            MariaDbDialect.INSTANCE.applyDdl(c, d, kinds[k]);
          }
        }
      }
    }
  }

}
