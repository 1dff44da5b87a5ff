package dev.ferry.apply.dialect.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A promoted SQLite target's {@code AUTOINCREMENT} counters are raised by the gap above the highest
 * id used (the counter or a row's rowid, whichever is higher), once per promotion: running the
 * same promotion again sets the same value; Ferry's own tables and tables without AUTOINCREMENT are
 * left alone.
 */
@Timeout(60)
class SqliteAutoIncrementTest {
  @Test
  void raisesEachAutoIncrementTableOncePerPromotion() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection c = db.connect(); Statement st = c.createStatement()) {
      SqliteControlTables.INSTANCE.prepare(c);
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)");
      st.execute("CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT)");
      st.execute("CREATE TABLE never (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)");
      st.execute("INSERT INTO items (id, v) VALUES (7, 'a'), (40, 'b')");
      st.execute("UPDATE sqlite_sequence SET seq = 12 WHERE name = 'items'"); // behind the rows
      st.execute("INSERT INTO plain VALUES (5, 'p')");
      c.setAutoCommit(false);
      assertThat(SqliteAutoIncrement.raise(c, "j1", 100)).containsExactly("items=140", "never=100");
      c.commit();
      st.execute("INSERT INTO items (v) VALUES ('local')");
      c.commit();
      assertThat(SqliteAutoIncrement.raise(c, "j1", 100)).as("the same promotion again").containsExactly("items=140",
          "never=100");
      c.commit();
      assertThat(seq(st, "items")).as("never moved back below a local insert").isEqualTo(141);
      assertThat(SqliteAutoIncrement.raise(c, "j2", 100)).as("a later promotion").containsExactly("items=241",
          "never=200");
      c.commit();
      st.execute("INSERT INTO never (v) VALUES ('x')");
      c.commit();
      try (ResultSet rs = st.executeQuery("SELECT id FROM never")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(201);
      }
    }
  }

  private static long seq(Statement st, String table) throws Exception {
    try (ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = '" + table + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
