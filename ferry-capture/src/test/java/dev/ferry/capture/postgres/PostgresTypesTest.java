package dev.ferry.capture.postgres;

import static dev.ferry.capture.postgres.PgTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every PostgreSQL type family passes through exactly: the decoded text equals what PostgreSQL
 * prints for {@code col::text} (in UTC), with the JVM in another time zone.
 */
@Timeout(120)
class PostgresTypesTest {
  private static final String BIG = "x".repeat(1 << 20);
  private static PostgresCluster cluster;
  private static TimeZone jvmZone;

  @BeforeAll
  static void start() throws Exception {
    jvmZone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/St_Johns"));
    cluster = PostgresCluster.start();
  }

  @AfterAll
  static void stop() throws Exception {
    TimeZone.setDefault(jvmZone);
    cluster.close();
  }

  @Test
  void everyTypeFamilyArrivesAsPostgresPrintsIt() throws Exception {
    PostgresSourceConfig config = PgTest.freshSource(cluster, "types");
    exec(config,
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
        "CREATE TYPE floatrange AS RANGE (subtype = float8)",
        "CREATE TABLE nums (id int PRIMARY KEY, n numeric, n2 numeric(40,20), i2 int2, i8 int8, f4 float4, "
            + "f8 float8, m money)",
        "CREATE TABLE times (id int PRIMARY KEY, tz timestamptz, ts timestamp, d date, t time, ttz timetz, "
            + "iv interval)",
        "CREATE TABLE texts (id int PRIMARY KEY, t text, v varchar(10), c char(5), q \"char\", big text)",
        "CREATE TABLE misc (id int PRIMARY KEY, b bytea, u uuid, j json, jb jsonb, bo bool, ip inet, "
            + "mac macaddr, bits bit(4), vb varbit, ts tsvector, x xml, p point)",
        "CREATE TABLE arrays (id int PRIMARY KEY, ia int[], ta text[], na numeric[][], tza timestamptz[])",
        "CREATE TABLE custom (id int PRIMARY KEY, e mood, d posint, r int4range, tr tstzrange, fr floatrange, "
            + "ea mood[])");
    PostgresSetup.setup(config);

    try (Capturing capturing = Capturing.start(config, new dev.ferry.capture.MemorySink())) {
      exec(config,
          "INSERT INTO nums VALUES (1, 123456789012345678901234567890.123456789012345678901234567890, "
              + "0.00000000000000000001, -32768, 9223372036854775807, 3.4028235e38, 1.7976931348623157e308, 12.34),"
              + "(2, 'NaN', 1, 0, -9223372036854775808, '-Infinity', '-0', -0.01),"
              + "(3, 'Infinity', -99999999999999999999.99999999999999999999, 1, 0, 'NaN', 5e-324, NULL),"
              + "(4, '-Infinity', 0, NULL, NULL, 0.1, 0.1, 0)",
          "INSERT INTO times VALUES (1, '2024-03-10 02:30:00 America/New_York', '2024-02-29 23:59:59.999999', "
              + "'2000-02-29', '24:00:00', '12:00:00+14', '1 year 2 mons -3 days 04:05:06.789'),"
              + "(2, 'infinity', '-infinity', 'infinity', '00:00:00.000001', '00:00:00-15:59', '-178000000 years'),"
              + "(3, '1999-12-31 23:59:59.999999+14', '4713-01-01 BC', '5874897-12-31', NULL, NULL, '0'),"
              + "(4, '-infinity', 'epoch', 'epoch', '23:59:59.999999', '23:59:59.999999+00', '1 microsecond')",
          "INSERT INTO texts VALUES (1, '', '', '', '', ''), (2, ' ', ' ', ' ', ' ', NULL), "
              + "(3, NULL, NULL, NULL, NULL, NULL), (4, 'héllo 🚢 日本 ''quote'' \"dq\" \\ back', 'ünï', 'ab', 'z', "
              + "E'tab\\tnew\\nline\\r'), (5, repeat('x', 1048576), 'x', 'x', 'x', repeat('y', 1048576))",
          "INSERT INTO misc VALUES (1, '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
              + "'{\"b\": 1,  \"a\" : [1, 2.50]}', '{\"b\": 1,  \"a\" : [1, 2.50]}', true, '192.168.0.1/24', "
              + "'08:00:2b:01:02:03', B'1010', B'101', 'a fat cat', '<a>x</a>', '(1.5,2)'),"
              + "(2, '', '00000000-0000-0000-0000-000000000000', 'null', 'null', false, '::1', "
              + "'ff:ff:ff:ff:ff:ff', B'0000', B'', '', '', '(0,0)'),"
              + "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
          "INSERT INTO arrays VALUES (1, '{1,NULL,3}', ARRAY['a', NULL, '', ' ', 'q\"uote', 'NULL', 'com,ma'], "
              + "'{{1.10,2},{3,NaN}}', ARRAY['2024-01-01 00:00+05'::timestamptz, 'infinity']),"
              + "(2, '{}', '{}', '{}', '{}'), (3, NULL, NULL, NULL, NULL)",
          "INSERT INTO custom VALUES (1, 'happy', 42, '[1,10)', '[2024-01-01 00:00+02,infinity)', '(1.5,2.5]', "
              + "'{sad,happy}'), (2, 'sad', 1, 'empty', '(,)', '[-Infinity,0]', '{}'),"
              + "(3, NULL, NULL, NULL, NULL, NULL, NULL)");

      List<Transaction> txs = capturing.awaitTransactions(6);
      Map<String, Change.Insert> inserts = new HashMap<>();
      for (Transaction tx : txs) {
        for (Change c : tx.changes()) {
          if (c instanceof Change.Insert i) {
            inserts.put(i.table().name() + "#" + i.row().get(0), i);
          }
        }
      }
      for (String table : List.of("nums", "times", "texts", "misc", "arrays", "custom")) {
        assertSameAsPostgres(config, table, inserts);
      }
      Change.Insert big = inserts.get("texts#" + new Value.Text("5"));
      assertThat(big.row().get(1)).isEqualTo(new Value.Text(BIG));
      Change.Insert empty = inserts.get("texts#" + new Value.Text("1"));
      Change.Insert blank = inserts.get("texts#" + new Value.Text("2"));
      Change.Insert nulls = inserts.get("texts#" + new Value.Text("3"));
      assertThat(List.of(empty.row().get(1), blank.row().get(1), nulls.row().get(1)))
          .containsExactly(new Value.Text(""), new Value.Text(" "), Value.NULL);
      assertThat(inserts.get("times#" + new Value.Text("1")).row().get(1))
          .isEqualTo(new Value.Text("2024-03-10 07:30:00+00"));
    }
  }

  /**
   * Compares every decoded row and column type with the type's output function in a UTC session
   * ({@code concat(col)}; a cast to text would strip char(n) padding).
   */
  private static void assertSameAsPostgres(PostgresSourceConfig config, String table,
      Map<String, Change.Insert> inserts) throws Exception {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("SET DateStyle = 'ISO'");
      List<Column> expectedColumns = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT attname, format_type(atttypid, atttypmod), atttypid "
          + "FROM pg_attribute WHERE attrelid = 'public." + table + "'::regclass AND attnum > 0 "
          + "AND NOT attisdropped ORDER BY attnum")) {
        while (rs.next()) {
          expectedColumns.add(new Column(rs.getString(1), rs.getString(2), rs.getInt(3)));
        }
      }
      String select = expectedColumns.stream().map(col -> "CASE WHEN \"" + col.name() + "\" IS NULL THEN NULL ELSE concat(\"" + col.name() + "\") END")
          .reduce((a, b) -> a + ", " + b).orElseThrow();
      int rows = 0;
      try (ResultSet rs = st.executeQuery("SELECT " + select + " FROM " + table + " ORDER BY id")) {
        while (rs.next()) {
          rows++;
          Change.Insert insert = inserts.get(table + "#" + new Value.Text(rs.getString(1)));
          assertThat(insert).as("decoded insert of %s id %s", table, rs.getString(1)).isNotNull();
          assertThat(insert.columns()).isEqualTo(expectedColumns);
          for (int i = 0; i < expectedColumns.size(); i++) {
            String text = rs.getString(i + 1);
            assertThat(insert.row().get(i)).as("%s.%s of id %s", table, expectedColumns.get(i).name(), rs.getString(1))
                .isEqualTo(text == null ? Value.NULL : new Value.Text(text));
          }
        }
      }
      assertThat(rows).isPositive();
    }
  }
}
