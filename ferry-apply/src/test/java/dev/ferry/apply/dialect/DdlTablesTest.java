package dev.ferry.apply.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which tables a captured DDL statement is about, so a replica's tables filter can leave it out. */
class DdlTablesTest {
  @ParameterizedTest(name = "{0}: {1} -> {3}")
  @CsvSource(delimiter = '|', value = {
      "PG_LSN|CREATE TABLE Audit_Log (id int PRIMARY KEY)|\"$user\", public|public.audit_log",
      "PG_LSN|create unlogged table if not exists s.\"Mixed\" (id int)|public|s.Mixed",
      "PG_LSN|ALTER TABLE IF EXISTS ONLY audit.log ADD COLUMN x int|public|audit.log",
      "PG_LSN|DROP TABLE IF EXISTS a, s.b CASCADE|app|app.a s.b",
      "PG_LSN|CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY t (a)|public|public.t",
      "PG_LSN|CREATE INDEX ON t (a)|public|public.t",
      "PG_LSN|COMMENT ON COLUMN s.t.c IS 'x'|public|s.t",
      "PG_LSN|COMMENT ON TABLE t IS 'x'|public|public.t",
      "CHANGE_ID|CREATE TABLE \"Orders\" (id INTEGER PRIMARY KEY)|main|main.Orders",
      "BINLOG|RENAME TABLE `a` TO `b`, shop.c TO shop.d|shop|shop.a shop.c",
      "BINLOG|ALTER TABLE Orders ADD COLUMN x int|shop|shop.Orders",
      "PG_LSN|DROP INDEX i|public|-",
      "PG_LSN|CREATE TEMP TABLE t (a int)|public|-",
      "PG_LSN|CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql|public|-",
      "PG_LSN|DROP TABLE a; DROP TABLE b|public|-",
      "PG_LSN|ALTER TABLE 'oops|public|-"})
  void namesTheTablesOfPlainStatementsAndNothingElse(SourcePosition.Kind source, String sql, String searchPath,
      String expected) {
    Optional<List<TableId>> named = DdlTables.named(new Change.Ddl(sql, searchPath, 1), source);
    if (expected.equals("-")) {
      assertThat(named).isEmpty();
      return;
    }
    assertThat(named).hasValue(Arrays.stream(expected.split(" "))
        .map(n -> new TableId(n.substring(0, n.indexOf('.')), n.substring(n.indexOf('.') + 1))).toList());
  }
}
