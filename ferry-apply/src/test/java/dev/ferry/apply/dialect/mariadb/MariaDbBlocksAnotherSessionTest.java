package dev.ferry.apply.dialect.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.MariaDbServerExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MariaDbDialect#blocksAnotherSession} for every row lock a Ferry session can hold and every
 * way another Ferry session can wait for it (both READ COMMITTED, {@link MariaDbDialect#markFerrySession}):
 * the holder H locks a key by UPDATE, INSERT, {@code LOCK IN SHARE MODE} or {@code FOR UPDATE};
 * the waiter W, in another thread, then UPDATEs it, INSERTs it or reads it {@code FOR UPDATE}.
 * While W waits the answer becomes true (polled: InnoDB's lock tables are a copy, refreshed when
 * nobody read it for 100 ms); once W's statement is killed it becomes false again while H still
 * holds its lock. Every combination is seen within one refresh: no lock kind is missed.
 * An INSERT of a key H holds only in share mode does not wait (its duplicate check takes a shared
 * lock too) and fails at once: the answer stays false.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MariaDbBlocksAnotherSessionTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  /** Longer than InnoDB's 100 ms: reading faster would keep the copy from being refreshed. */
  private static final long POLL_MS = 150;
  private static final AtomicInteger TABLES = new AtomicInteger();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  private static String url;

  /** How H locks key 1 (an existing row) or key 2 (a row it inserts). */
  enum Hold {
    UPDATE(1, "UPDATE %s SET n = n + 1 WHERE id = 1"),
    INSERT(2, "INSERT INTO %s VALUES (2, 0)"),
    SHARE(1, "SELECT n FROM %s WHERE id = 1 LOCK IN SHARE MODE"),
    FOR_UPDATE(1, "SELECT n FROM %s WHERE id = 1 FOR UPDATE");

    final int key;
    final String sql;

    Hold(int key, String sql) {
      this.key = key;
      this.sql = sql;
    }
  }

  /** How W asks for H's key. */
  enum Wait {
    UPDATE("UPDATE %s SET n = n + 10 WHERE id = %d"),
    INSERT("INSERT INTO %s VALUES (%d, 10)"),
    FOR_UPDATE("SELECT n FROM %s WHERE id = %d FOR UPDATE");

    final String sql;

    Wait(String sql) {
      this.sql = sql;
    }
  }

  static Stream<Arguments> combinations() {
    List<Arguments> all = new ArrayList<>();
    for (Hold h : Hold.values()) {
      for (Wait w : Wait.values()) {
        all.add(Arguments.of(h, w));
      }
    }
    return all.stream();
  }

  @BeforeAll
  static void database() throws SQLException {
    url = mariadb.server().createDatabase("blocks");
  }

  @ParameterizedTest(name = "H {0}, W {1}")
  @MethodSource("combinations")
  void tellsWhileAnotherFerrySessionWaitsForTheLock(Hold hold, Wait wait) throws Exception {
    String table = "rows" + TABLES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB");
      st.execute("INSERT INTO " + table + " VALUES (1, 0)");
    }
    try (Connection holder = ferrySession(); Connection waiter = ferrySession(); Connection admin = ferrySession();
        ExecutorService threads = Executors.newSingleThreadExecutor()) {
      try (Statement st = holder.createStatement()) {
        st.execute(String.format(hold.sql, table));
      }
      assertStays(() -> blocks(holder), false, "nobody waits yet");
      long waiterId = connectionId(waiter);
      CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
        try (Statement st = waiter.createStatement()) {
          st.execute(String.format(wait.sql, table, hold.key));
          return "done";
        } catch (SQLException e) {
          return "failed: " + e.getMessage();
        }
      }, threads);
      if (hold == Hold.SHARE && wait == Wait.INSERT) {
        assertThat(waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("a shared duplicate check waits for no"
            + " shared lock").startsWith("failed: (conn=").contains("Duplicate entry");
        assertStays(() -> blocks(holder), false, "nobody waits");
        holder.rollback();
        return;
      }
      long start = System.nanoTime();
      awaitTrue(() -> runs(admin, waiterId), "W's statement runs (PROCESSLIST)");
      awaitTrue(() -> blocks(holder), "H is seen blocking W\n" + lockTables(admin));
      long seenMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("H %s, W %s: seen after %d ms%n", hold, wait, seenMs);
      assertThat(waiting).as("W still waits").isNotDone();
      try (Statement st = admin.createStatement()) {
        st.execute("KILL QUERY " + waiterId);
      }
      assertThat(waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).startsWith("failed");
      awaitTrue(() -> !blocks(holder), "H blocks nobody once W's statement is killed");
      holder.rollback();
    }
  }

  /**
   * InnoDB refreshes its copy of the lock tables only when nobody read it for 100 ms: a session
   * reading it more often (a monitoring tool, or Ferry's own workers all waiting for their turns,
   * each asking every 200 ms) freezes it, and a wait that began after the last refresh is never in
   * it. The answer must not then stay false while W waits for H.
   */
  @Test
  void tellsWhileAnotherSessionReadsTheLockTablesEvery20Ms() throws Exception {
    String table = "rows" + TABLES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB");
      st.execute("INSERT INTO " + table + " VALUES (1, 0)");
    }
    try (Connection holder = ferrySession(); Connection waiter = ferrySession(); Connection admin = ferrySession();
        ExecutorService threads = Executors.newCachedThreadPool()) {
      try (Statement st = holder.createStatement()) {
        st.execute(String.format(Hold.UPDATE.sql, table));
      }
      try (LockTablesPoller monitoring = new LockTablesPoller(url)) {
        Thread.sleep(200);
        long waiterId = connectionId(waiter);
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
          try (Statement st = waiter.createStatement()) {
            st.execute(String.format(Wait.UPDATE.sql, table, 1));
            return "done";
          } catch (SQLException e) {
            return "failed: " + e.getMessage();
          }
        }, threads);
        awaitTrue(() -> runs(admin, waiterId), "W's statement runs (PROCESSLIST)");
        awaitTrue(() -> blocks(holder), "H is seen blocking W while the lock tables are read every 20 ms\n"
            + lockTables(admin));
        try (Statement st = admin.createStatement()) {
          st.execute("KILL QUERY " + waiterId);
        }
        assertThat(waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).startsWith("failed");
        awaitTrue(() -> !blocks(holder), "H blocks nobody once W's statement is killed");
      }
      holder.rollback();
    }
  }

  private static Connection ferrySession() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    MariaDbDialect.INSTANCE.markFerrySession(c);
    c.setAutoCommit(false);
    return c;
  }

  private static boolean blocks(Connection c) {
    try {
      return MariaDbDialect.INSTANCE.blocksAnotherSession(c);
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private static long connectionId(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** W's statement runs (PROCESSLIST), which for these statements means it waits for H's lock. */
  private static boolean runs(Connection admin, long id) {
    try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT 1 FROM information_schema.PROCESSLIST WHERE id = " + id + " AND command = 'Query'")) {
      return rs.next();
    } catch (SQLException e) {
      throw new CompletionException(e);
    }
  }

  private static String lockTables(Connection admin) {
    StringBuilder b = new StringBuilder();
    for (String q : List.of("SELECT trx_id, trx_state, trx_mysql_thread_id, trx_requested_lock_id, trx_query"
        + " FROM information_schema.INNODB_TRX", "SELECT * FROM information_schema.INNODB_LOCK_WAITS",
        "SELECT id, command, state, info FROM information_schema.PROCESSLIST")) {
      try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(q)) {
        b.append(q).append('\n');
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            b.append(rs.getString(i)).append(i < n ? " | " : "\n");
          }
        }
      } catch (SQLException e) {
        b.append(e.getMessage()).append('\n');
      }
    }
    return b.toString();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within " + DEADLINE).isLessThan(deadline);
      Thread.sleep(POLL_MS);
    }
  }

  /** The condition keeps {@code expected} over several refreshes of InnoDB's copy. */
  private static void assertStays(BooleanSupplier condition, boolean expected, String what) throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      assertThat(condition.getAsBoolean()).as(what).isEqualTo(expected);
      Thread.sleep(POLL_MS);
    }
  }
}
