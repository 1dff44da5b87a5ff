package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.sqlite.SqliteValues;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.PostgresCluster;
import dev.ferry.testkit.SqliteDatabase;
import dev.ferry.testkit.TableDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PostgreSQL → SQLite type mapping of docs/apply.md: the same changes give equal digests on both. */
@Timeout(60)
class TypeMappingTest {
  private static final TableId TYPED = table("typed");
  private static final List<Column> COLUMNS = cols("id:int8", "i4:int4", "b:bool", "num:numeric", "f8:float8",
      "ts:timestamptz", "d:date", "t:text", "bin:bytea", "u:uuid", "js:jsonb", "arr:_int4", "iv:interval");

  @Test
  void postgresAndSqliteTargetsDigestEqually() throws Exception {
    List<Transaction> stream = List.of(
        tx(1, new Change.Insert(TYPED, COLUMNS, row("1", "-7", "t", "12.5000", "0.1", "2024-03-01 01:59:59.123456+03",
            "2024-02-29", "ünicode 'q' \"d\"", "\\xdeadbeef", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "{\"a\": [1, 2]}", "{1,2,3}", "1 year 2 mons"))),
        tx(2, new Change.Insert(TYPED, COLUMNS, row("2", null, "f", "-0.0001", "-1.5e+300", "2024-01-01 00:00:00-05:30",
            null, "", "\\x", null, "null", "{}", "00:00:01"))),
        tx(3, new Change.Insert(TYPED, COLUMNS, row("3", "0", "t", "123456789012345678901234567890.12", "Infinity",
            "1999-12-31 23:59:59+00", "1970-01-01", "x", "\\x00", null, "[]", "{NULL}", "-1 days"))),
        tx(4, Transactions.update(TYPED, COLUMNS, List.of(), "1", "8", "f", "13", "0.25", "2024-03-01 00:00:00.5+01",
            "2024-03-01", "changed", "\\x01", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12", "{}", "{4}", "2 days")));
    ApplyConfig config = ApplyConfig.defaults("types", "src");
    try (PostgresCluster cluster = PostgresCluster.start(); SqliteDatabase sqlite = SqliteDatabase.create()) {
      String pgUrl = cluster.createDatabase("typed");
      exec(() -> DriverManager.getConnection(pgUrl), "CREATE TABLE typed (id bigint PRIMARY KEY, i4 int, b boolean,"
          + " num numeric(40,4), f8 float8, ts timestamptz, d date, t text, bin bytea, u uuid, js jsonb, arr int[],"
          + " iv interval)");
      exec(sqlite::connect, "CREATE TABLE typed (id INTEGER PRIMARY KEY, i4 INTEGER, b INTEGER, num NUMERIC TEXT,"
          + " f8 REAL, ts TEXT, d TEXT, t TEXT, bin BLOB, u TEXT, js TEXT, arr TEXT, iv TEXT)");
      for (ConnectionSource target : List.<ConnectionSource>of(() -> DriverManager.getConnection(pgUrl),
          sqlite::connect)) {
        try (Applier applier = JdbcApplier.open(config, target)) {
          applier.applyAll(stream.iterator());
        }
      }
      try (Connection pg = DriverManager.getConnection(pgUrl); Connection lite = sqlite.connect()) {
        for (Column column : COLUMNS) {
          String oneColumn = "(SELECT id AS k, " + column.name() + " FROM typed) AS x";
          assertThat(TableDigest.of(lite, oneColumn)).as(column.toString()).isEqualTo(TableDigest.of(pg, oneColumn));
        }
        TableDigest expected = TableDigest.of(pg, "typed");
        assertThat(expected.rows()).isEqualTo(3);
        assertThat(TableDigest.of(lite, "typed")).isEqualTo(expected);
      }
    }
  }

  @Test
  void timestamptzTextIsRewrittenToUtcAsPostgresPrintsIt() {
    assertThat(SqliteValues.toUtcText("2024-03-01 01:59:59.123456+03")).isEqualTo("2024-02-29 22:59:59.123456+00");
    assertThat(SqliteValues.toUtcText("2024-01-01 00:00:00-05:30")).isEqualTo("2024-01-01 05:30:00+00");
    assertThat(SqliteValues.toUtcText("2024-01-01 00:00:00.5+00")).isEqualTo("2024-01-01 00:00:00.5+00");
    assertThat(SqliteValues.toUtcText("infinity")).isEqualTo("infinity");
    assertThat(SqliteValues.toUtcText("0044-03-15 12:00:00+00 BC")).isEqualTo("0044-03-15 12:00:00+00 BC");
  }

  private static void exec(ConnectionSource target, String sql) throws Exception {
    try (Connection c = target.connect(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
