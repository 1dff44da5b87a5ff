package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A promoted MariaDB target's {@code AUTO_INCREMENT} counters, on a real server, are raised by the
 * gap above the highest id used (the column's highest value or the counter less one, whichever is
 * higher: an id a rolled-back insert consumed counts), once per promotion: running the same
 * promotion again sets the same value and never moves a counter back below a local insert; Ferry's
 * own tables ({@code ferry_conflicts} has an {@code AUTO_INCREMENT} id), tables without one and a
 * {@code SEQUENCE} are left alone; with {@code auto_increment_increment} and {@code _offset} the
 * next id is still above the planned value.
 */
@Timeout(120)
class MariaDbAutoIncrementTest {
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Test
  void raisesEachAutoIncrementTableOncePerPromotion() throws Exception {
    String url = mariadb.server().createDatabase("autoinc");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      MariaDbControlTables.INSTANCE.prepare(c);
      st.execute("CREATE TABLE items (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, v TEXT) ENGINE=InnoDB");
      st.execute("CREATE TABLE plain (id BIGINT PRIMARY KEY, v TEXT) ENGINE=InnoDB");
      st.execute("CREATE TABLE never (n INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (n)) ENGINE=InnoDB");
      st.execute("CREATE SEQUENCE s");
      st.execute("INSERT INTO items (id, v) VALUES (7, 'a'), (40, 'b')");
      st.execute("INSERT INTO plain VALUES (5, 'p')");
      c.setAutoCommit(false);
      st.execute("INSERT INTO items (v) VALUES ('rolled back')"); // consumes id 41
      c.rollback();
      assertThat(MariaDbAutoIncrement.raise(c, "j1", 100)).containsExactly("items=141", "never=100");
      c.commit();
      assertThat(counter(st, "items")).isEqualTo(142);
      st.execute("INSERT INTO items (v) VALUES ('local')");
      c.commit();
      assertThat(MariaDbAutoIncrement.raise(c, "j1", 100)).as("the same promotion again").containsExactly("items=141",
          "never=100");
      c.commit();
      assertThat(counter(st, "items")).as("never moved back below a local insert").isEqualTo(143);
      assertThat(MariaDbAutoIncrement.raise(c, "j2", 100)).as("a later promotion").containsExactly("items=242",
          "never=200");
      c.commit();
      c.setAutoCommit(true);
      st.execute("INSERT INTO never () VALUES ()");
      assertThat(scalar(st, "SELECT n FROM never")).isEqualTo(201);
      st.execute("SET SESSION auto_increment_increment = 10, auto_increment_offset = 3");
      st.execute("INSERT INTO items (v) VALUES ('by tens')");
      assertThat(scalar(st, "SELECT max(id) FROM items")).as("the first of 3, 13, 23… at or above 243").isEqualTo(243);
      assertThat(scalar(st, "SELECT count(*) FROM ferry_sequences WHERE name LIKE 'autoincrement:%:ferry\\_%'"))
          .as("Ferry's own tables are not raised").isZero();
    }
  }

  private static long counter(Statement st, String table) throws Exception {
    return scalar(st, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = '" + table + "'");
  }

  private static long scalar(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
