package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TableDigestTest {
  private static PostgresCluster pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresCluster.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  @Test
  void agreesBetweenPostgresAndSqliteAfterTheSameWorkload() throws Exception {
    try (SqliteDatabase sqlite = SqliteDatabase.create();
        Connection lite = sqlite.connect();
        Connection post = java.sql.DriverManager.getConnection(pg.createDatabase("same_workload"))) {
      Map<String, TableDigest> onSqlite = runBank(lite, BankWorkload.Dialect.SQLITE);
      Map<String, TableDigest> onPostgres = runBank(post, BankWorkload.Dialect.POSTGRES);
      assertThat(onPostgres.get("accounts").rows()).isGreaterThan(50);
      assertThat(onPostgres.get("documents").rows()).isPositive();
      assertThat(onPostgres.values()).containsExactlyElementsOf(onSqlite.values());
    }
  }

  @Test
  void differsWhenOneValueInOneRowDiffers() throws Exception {
    try (SqliteDatabase sqlite = SqliteDatabase.create();
        Connection lite = sqlite.connect();
        Connection post = java.sql.DriverManager.getConnection(pg.createDatabase("one_value"))) {
      for (Connection c : new Connection[] {lite, post}) {
        TableDigest before = runBank(c, BankWorkload.Dialect.of(c)).get("documents");
        try (Statement st = c.createStatement()) {
          st.executeUpdate("UPDATE documents SET score = score + 1e-9 WHERE id = (SELECT MIN(id) FROM documents)");
          TableDigest changed = TableDigest.of(c, "documents");
          assertThat(changed.rows()).isEqualTo(before.rows());
          assertThat(changed.hash()).isNotEqualTo(before.hash());
          st.executeUpdate("UPDATE documents SET score = score - 1e-9 WHERE id = (SELECT MIN(id) FROM documents)");
        }
        assertThat(TableDigest.of(c, "documents").rows()).isEqualTo(before.rows());
      }
    }
  }

  @Test
  void ignoresRowOrderButCountsDuplicatesAndTellsNullFromEmpty() throws Exception {
    try (SqliteDatabase sqlite = SqliteDatabase.create(); Connection c = sqlite.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE a (k INTEGER, v TEXT)");
      st.execute("CREATE TABLE b (k INTEGER, v TEXT)");
      st.execute("INSERT INTO a VALUES (1, 'x'), (2, NULL), (3, '')");
      st.execute("INSERT INTO b VALUES (3, ''), (1, 'x'), (2, NULL)");
      assertThat(TableDigest.of(c, "a").hash()).isEqualTo(TableDigest.of(c, "b").hash());

      st.execute("INSERT INTO b VALUES (1, 'x')");
      assertThat(TableDigest.of(c, "b").hash()).isNotEqualTo(TableDigest.of(c, "a").hash());
      st.execute("DELETE FROM b");
      st.execute("INSERT INTO b VALUES (1, 'x'), (2, ''), (3, '')");
      assertThat(TableDigest.of(c, "b").hash()).isNotEqualTo(TableDigest.of(c, "a").hash());
    }
  }

  private static Map<String, TableDigest> runBank(Connection c, BankWorkload.Dialect dialect) throws Exception {
    BankWorkload bank = new BankWorkload(dialect, 50);
    bank.createSchema(c);
    bank.load(c);
    WorkloadClient client = bank.client(1, 42);
    for (int i = 0; i < 300; i++) {
      client.step(c);
    }
    c.setAutoCommit(true);
    return TableDigest.ofAll(c, BankWorkload.TABLES);
  }
}
