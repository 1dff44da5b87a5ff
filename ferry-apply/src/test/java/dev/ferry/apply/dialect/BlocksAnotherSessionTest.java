package dev.ferry.apply.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServerExtension;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Dialect#blocksAnotherSession}, which a parallel worker waiting for its commit turn asks:
 * false while nobody waits for its locks, true once another session waits for a row it updated.
 */
@Timeout(120)
class BlocksAnotherSessionTest {
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  @Test
  void postgresqlTellsWhenAnotherSessionWaitsForARowLock() throws Exception {
    assertTellsWhenBlocking(postgres.cluster().createDatabase("blocks"));
  }

  @Test
  void mariadbTellsWhenAnotherSessionWaitsForARowLock() throws Exception {
    assertTellsWhenBlocking(mariadb.server().createDatabase("blocks"));
  }

  private static void assertTellsWhenBlocking(String url) throws Exception {
    try (Connection setup = DriverManager.getConnection(url); Statement st = setup.createStatement()) {
      st.execute("CREATE TABLE shared (id int PRIMARY KEY, n int NOT NULL)");
      st.execute("INSERT INTO shared VALUES (1, 0)");
    }
    try (Connection holder = DriverManager.getConnection(url); Connection waiter = DriverManager.getConnection(url)) {
      Dialect dialect = Dialect.of(holder);
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.executeUpdate("UPDATE shared SET n = n + 1 WHERE id = 1");
      }
      assertThat(dialect.blocksAnotherSession(holder)).as("nobody waits yet").isFalse();
      CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
        try (Statement st = waiter.createStatement()) {
          st.executeUpdate("UPDATE shared SET n = n + 10 WHERE id = 1");
        } catch (java.sql.SQLException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!dialect.blocksAnotherSession(holder)) {
        assertThat(System.nanoTime()).as("the waiter seen within 30 s").isLessThan(deadline);
        // InnoDB refreshes its INNODB_TRX / INNODB_LOCK_WAITS cache only when it was not read for
        // 100 ms: polling faster would keep reading the picture from before the waiter came.
        Thread.sleep(250);
      }
      holder.commit();
      waiting.get();
    }
  }
}
