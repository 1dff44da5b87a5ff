package dev.ferry.apply.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.mariadb.MariaDbDialect;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.MariaDbServerExtension;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The target catalogs name a table as the target does and list its foreign keys, the parent named
 * the same way, columns pairwise in the key's order: PostgreSQL (a parent in another schema, a
 * key on a unique key in another column order) and MariaDB.
 */
@Timeout(180)
class ForeignKeyCatalogTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Test
  void postgresListsForeignKeysAndTheTargetsOwnName() throws Exception {
    String url = postgres.cluster().createDatabase("fkcat");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA s1");
      st.execute("CREATE TABLE s1.p (id bigint PRIMARY KEY, a text, b text, CONSTRAINT p_ba UNIQUE (b, a))");
      st.execute("CREATE TABLE c (id bigint PRIMARY KEY, pid bigint REFERENCES s1.p (id), x text, y text,"
          + " CONSTRAINT c_xy FOREIGN KEY (x, y) REFERENCES s1.p (a, b))");
      TargetCatalog catalog = Dialect.of(c).catalog();
      TableInfo child = catalog.describe(c, new TableId("", "c")).orElseThrow();
      assertThat(child.target()).isEqualTo(new TableId("public", "c"));
      assertThat(child.foreignKeys()).containsExactly(
          new TableInfo.ForeignKey("c_pid_fkey", List.of("pid"), new TableId("s1", "p"), List.of("id")),
          new TableInfo.ForeignKey("c_xy", List.of("x", "y"), new TableId("s1", "p"), List.of("a", "b")));
      TableInfo parent = catalog.describe(c, new TableId("s1", "p")).orElseThrow();
      assertThat(parent.target()).isEqualTo(new TableId("s1", "p"));
      assertThat(parent.foreignKeys()).isEmpty();
      assertThat(parent.uniqueKeyOn(List.of("a", "b")).orElseThrow().name()).isEqualTo("p_ba");
    }
  }

  @Test
  void mariaDbListsForeignKeysAndTheTargetsOwnName() throws Exception {
    StringBuilder u = new StringBuilder(mariadb.server().createDatabase("fkcat"))
        .append("&sessionVariables=sql_mode=ANSI_QUOTES");
    MariaDbDialect.INSTANCE.driverProperties().forEach((k, v) -> u.append('&').append(k).append('=').append(v));
    try (Connection c = DriverManager.getConnection(u.toString()); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE p (id bigint PRIMARY KEY, a varchar(20), b varchar(20), CONSTRAINT p_ba UNIQUE (b, a))"
          + " ENGINE=InnoDB");
      st.execute("CREATE TABLE c (id bigint PRIMARY KEY, pid bigint, x varchar(20), y varchar(20),"
          + " CONSTRAINT c_pid FOREIGN KEY (pid) REFERENCES p (id),"
          + " CONSTRAINT c_xy FOREIGN KEY (y, x) REFERENCES p (b, a)) ENGINE=InnoDB");
      TargetCatalog catalog = Dialect.of(c).catalog();
      TableInfo child = catalog.describe(c, new TableId("public", "c")).orElseThrow();
      assertThat(child.target()).isEqualTo(new TableId("fkcat", "c"));
      assertThat(child.foreignKeys()).containsExactly(
          new TableInfo.ForeignKey("c_pid", List.of("pid"), new TableId("fkcat", "p"), List.of("id")),
          new TableInfo.ForeignKey("c_xy", List.of("y", "x"), new TableId("fkcat", "p"), List.of("b", "a")));
      assertThat(catalog.describe(c, new TableId("fkcat", "p")).orElseThrow().target())
          .isEqualTo(new TableId("fkcat", "p"));
    }
  }
}
