package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SqlLexerTest {
  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void splitsRandomQueryStringsIntoTheStatementsTheyWereBuiltFrom(long seed) {
    MultiStatementScripts scripts = new MultiStatementScripts(new SplittableRandom(seed));
    for (int i = 0; i < 5; i++) {
      MultiStatementScripts.Query q = scripts.next();
      assertThat(SqlLexer.split(q.text(), true)).extracting(SqlLexer.Statement::text)
          .as(q.text()).containsExactlyElementsOf(q.statements());
    }
  }

  @ParameterizedTest(name = "{1} <- {0}")
  @CsvSource(delimiter = '|', value = {
      "create unique index concurrently if not exists i on t (a) | CREATE INDEX",
      "CREATE OR REPLACE TEMP RECURSIVE VIEW v (n) AS select 1 | CREATE VIEW",
      "create global temporary table x (a int) | CREATE TABLE",
      "create unlogged table x (a) as select 1 | CREATE TABLE AS",
      "create table x (a int, b text generated always as (a::text) stored) | CREATE TABLE",
      "select 1 as a into new_table from t | SELECT INTO",
      "with x as (select 1) select * into y from x | SELECT INTO",
      "with x as (select 1) insert into t select * from x | INSERT",
      "create constraint trigger tr after insert on t for each row execute function f() | CREATE TRIGGER",
      "create user bob | CREATE ROLE",
      "create trusted procedural language plx | CREATE LANGUAGE",
      "create materialized view if not exists m as select 1 | CREATE MATERIALIZED VIEW",
      "create foreign data wrapper w | CREATE FOREIGN DATA WRAPPER",
      "alter text search configuration c rename to d | ALTER TEXT SEARCH CONFIGURATION",
      "alter default privileges grant select on tables to public | ALTER DEFAULT PRIVILEGES",
      "drop index concurrently if exists i | DROP INDEX",
      "alter user mapping for bob server s options (x 'y') | ALTER USER MAPPING",
      "comment on table t is 'x' | COMMENT",
      "refresh materialized view concurrently m | REFRESH MATERIALIZED VIEW",
      "\"select\" | ''"})
  void derivesPostgresCommandTags(String statement, String tag) {
    assertThat(CommandTags.tag(SqlLexer.split(statement, true).getFirst())).isEqualTo(tag);
  }

  @Test
  void keepsAtomicFunctionBodiesAndRuleActionsWhole() {
    String atomic = "create function f() returns int language sql begin atomic select case when true then 1 end; "
        + "select 2; end";
    String rule = "create rule r as on insert to t do also (insert into u values (1); delete from u)";
    assertThat(SqlLexer.split(atomic + "; " + rule + "; select 3", true)).extracting(SqlLexer.Statement::text)
        .containsExactly(atomic, rule, "select 3");
  }

  @Test
  void honoursBackslashEscapesOnlyWhereTheServerDoes() {
    String query = "select 'a\\'; select 1; select ''; select E'\\';'";
    assertThat(SqlLexer.split(query, true)).extracting(SqlLexer.Statement::text)
        .containsExactly("select 'a\\'", "select 1", "select ''", "select E'\\';'");
    assertThat(SqlLexer.split("select 'a\\'; b'; select 2", false)).extracting(SqlLexer.Statement::text)
        .containsExactly("select 'a\\'; b'", "select 2");
  }

  @Test
  void matchesEachEventToItsStatementAndRefusesToGuessAfterARollback() {
    List<SqlLexer.Statement> s = SqlLexer.split("create table a (x int); insert into a values (1); "
        + "create temp table b (x int); alter table a add c int", true);
    assertThat(DdlStatementMatcher.match(s, List.of("CREATE TABLE"))).hasValue(0);
    assertThat(DdlStatementMatcher.match(s, List.of("CREATE TABLE", "CREATE TABLE"))).hasValue(2);
    assertThat(DdlStatementMatcher.match(s, List.of("CREATE TABLE", "CREATE TABLE", "ALTER TABLE"))).hasValue(3);
    List<SqlLexer.Statement> undone = SqlLexer.split("begin; create table a (x int); rollback; create table b (x int)", true);
    assertThat(DdlStatementMatcher.match(undone, List.of("CREATE TABLE"))).isEmpty();
    List<SqlLexer.Statement> savepoint = SqlLexer.split("begin; create table a (x int); savepoint s; "
        + "alter table a add y int; rollback to savepoint s; create table b (x int); commit", true);
    assertThat(DdlStatementMatcher.match(savepoint, List.of("CREATE TABLE", "CREATE TABLE"))).hasValue(5);
  }
}
