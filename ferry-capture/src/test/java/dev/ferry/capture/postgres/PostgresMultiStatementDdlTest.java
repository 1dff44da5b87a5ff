package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.Psql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DDL sent by a client in a multi-statement query string ({@code psql -c "…; …"}) is journaled as
 * exactly the DDL statements that ran, each at its place; DDL that ran inside a {@code DO} block
 * or a function is journaled as not replayable, with the statement PostgreSQL reports.
 */
@Timeout(300)
class PostgresMultiStatementDdlTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  private static final AtomicInteger DATABASES = new AtomicInteger();

  static LongStream seeds() {
    return LongStream.of(1, 2, 3, 4, 5, 6, 7, 8, 20261204L, 0xFE77L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void journalsExactlyTheCommittedDdlStatementsOfRandomQueryStringsInOrder(long seed) throws Exception {
    String db = database();
    PostgresSourceConfig config = source(db);
    MultiStatementScripts scripts = new MultiStatementScripts(new SplittableRandom(seed));
    List<MultiStatementScripts.Query> queries = new ArrayList<>();
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      for (int i = 0; i < 8; i++) {
        MultiStatementScripts.Query q = scripts.next();
        Psql.command(postgres.cluster(), db, q.text());
        queries.add(q);
      }
      List<Change.Ddl> ddl = ddlUpToEndMarker(capturing, db);
      List<String> expected = queries.stream().flatMap(q -> q.committedDdl().stream()).toList();
      assertThat(ddl).hasSameSizeAs(expected);
      int i = 0;
      for (MultiStatementScripts.Query q : queries) {
        for (String statement : q.committedDdl()) {
          Change.Ddl actual = ddl.get(i++);
          if (actual.replayable() || !q.undidDdl()) {
            assertThat(actual.command()).as("DDL %d of query %s", i, q.text()).isEqualTo(statement);
          } else {
            // A ROLLBACK in the string can leave two statements that fit the event: never a guess.
            assertThat(actual.ranInside()).as("DDL %d", i).contains(q.text().strip());
          }
        }
      }
      assertThat(ddl).filteredOn(Change.Ddl::replayable).hasSizeGreaterThan(expected.size() / 2);
    }
  }

  @Test
  void multiStatementTransactionJournalsOnlyItsAlterTableBetweenItsRowChanges() throws Exception {
    String db = database();
    PostgresSourceConfig config = source(db);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      Psql.command(postgres.cluster(), db, "begin; insert into t values (1, 'a'); alter table t add column c int; "
          + "update t set c = 7; insert into t values (2, 'b', 8); commit;");
      Transaction tx = capturing.awaitTransactions(1).getFirst();
      assertThat(Capturing.rowChanges(tx)).extracting(c -> c.getClass().getSimpleName())
          .containsExactly("Insert", "Ddl", "Update", "Insert");
      assertThat(tx.changes().get(1)).isEqualTo(new Change.Ddl("alter table t add column c int", "\"$user\", public", 1));
    }
  }

  @Test
  void ddlInsideDoBlockOrFunctionIsJournaledAsNotReplayableWithTheReportedStatement() throws Exception {
    String db = database();
    PostgresSourceConfig config = source(db);
    try (Capturing capturing = Capturing.start(config, new MemorySink())) {
      String doBlock = "do $$ begin insert into t values (1, 'a'); alter table t add column c int; end $$";
      Psql.command(postgres.cluster(), db, doBlock);
      Psql.command(postgres.cluster(), db, "create function mk() returns void language plpgsql as "
          + "$f$ begin execute 'create table made_by_f (a int)'; end $f$; select mk();");
      List<Change.Ddl> ddl = ddlUpToEndMarker(capturing, db);
      assertThat(ddl).containsExactly(
          new Change.Ddl("alter table t add column c int", "\"$user\", public", 1, Optional.of(doBlock)),
          new Change.Ddl("create function mk() returns void language plpgsql as "
              + "$f$ begin execute 'create table made_by_f (a int)'; end $f$", "\"$user\", public", 2),
          new Change.Ddl("create table made_by_f (a int)", "\"$user\", public", 3, Optional.of(
              "create function mk() returns void language plpgsql as "
                  + "$f$ begin execute 'create table made_by_f (a int)'; end $f$; select mk();")));
    }
  }

  private static String database() throws Exception {
    String db = "multi_" + DATABASES.incrementAndGet();
    postgres.cluster().createDatabase(db);
    return db;
  }

  private static PostgresSourceConfig source(String db) throws Exception {
    PostgresSourceConfig config = PostgresSourceConfig.of(db, postgres.cluster().jdbcUrl(db));
    PgTest.exec(config, "CREATE TABLE t (id int PRIMARY KEY, v text)");
    PostgresSetup.setup(config);
    return config;
  }

  /** Writes an end marker and returns every journaled DDL up to it, in journal order. */
  private static List<Change.Ddl> ddlUpToEndMarker(Capturing capturing, String db) throws Exception {
    Psql.command(postgres.cluster(), db, "insert into t (id, v) values (-999999, 'end')");
    capturing.await(() -> capturing.sink.transactions().stream().flatMap(tx -> tx.changes().stream())
        .anyMatch(c -> c instanceof Change.Insert i && i.row().getFirst().toString().contains("-999999")),
        "the end marker");
    return capturing.sink.transactions().stream().flatMap(tx -> tx.changes().stream())
        .filter(c -> c instanceof Change.Ddl).map(c -> (Change.Ddl) c).toList();
  }
}
