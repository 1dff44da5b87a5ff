package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.JavaProcess;
import dev.ferry.testkit.PostgresClusterExtension;
import dev.ferry.testkit.TableDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pgbench-shaped large transaction ({@code UPDATE pgbench_accounts SET abalance = abalance + 1}
 * over every row, plus inserts into the keyless {@code pgbench_history}), written chunked into a
 * real journal and applied to a real PostgreSQL: by a separate JVM capped at {@code -Xmx256m}
 * (a million rows), killed with SIGKILL in the middle and restarted, and with its backend
 * terminated in the middle. Each ends with the same table digests as a reference database that ran
 * the same statements itself.
 */
@Timeout(900)
class PostgresLargeTransactionApplyTest {
  private static final TableId ACCOUNTS = table("pgbench_accounts");
  private static final TableId HISTORY = table("pgbench_history");
  private static final List<Column> ACCOUNT_COLS = cols("aid:int4", "bid:int4", "abalance:int4", "filler:bpchar");
  private static final List<Column> HISTORY_COLS = cols("hid:int4", "aid:int4", "delta:int4");
  private static final String FILLER = " ".repeat(84);
  private static final int HISTORY_ROWS = 20_000;
  private static final String SCHEMA = """
      CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
      CREATE TABLE pgbench_history (hid int, aid int, delta int);
      ALTER TABLE pgbench_history REPLICA IDENTITY FULL""";
  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();

  @TempDir
  Path dir;

  @Test
  void millionRowUpdateIsAppliedByAJvmWith256Megabytes() throws Exception {
    int rows = 1_000_000;
    String target = prepare("big_target", rows);
    String reference = prepare("big_reference", rows);
    runOnSource(reference, rows);
    Path journal = writeJournal(rows);
    long started = System.nanoTime();
    try (JavaProcess child = JavaProcess.start(CrashApplyMain.class, List.of("-Xmx256m"), target,
        journal.toString(), "recorded")) {
      assertThat(child.awaitExit(Duration.ofSeconds(600))).as(child.output()).isZero();
      assertThat(child.output()).contains("DONE 0:3").doesNotContain("OutOfMemoryError");
    }
    System.out.printf("applied a %d-row transaction at -Xmx256m in %d ms%n", rows,
        (System.nanoTime() - started) / 1_000_000);
    assertSameTables(target, reference);
  }

  @Test
  void killNineInTheMiddleOfALargeTransactionThenRestartAppliesItExactlyOnce() throws Exception {
    int rows = 300_000;
    String target = prepare("kill_target", rows);
    String reference = prepare("kill_reference", rows);
    runOnSource(reference, rows);
    Path journal = writeJournal(rows);
    // While staged rows stream in, while they are merged, and again while they stream in.
    List<String> moments = List.of("COPY ferry_stage%", "UPDATE%FROM ferry_stage%", "COPY ferry_stage%");
    for (String moment : moments) {
      try (JavaProcess child = JavaProcess.start(CrashApplyMain.class, List.of("-Xmx256m"), target,
          journal.toString(), "recorded")) {
        Optional<Integer> backend = awaitStatement(target, moment, child);
        assertThat(backend).as("the applier reached '%s'; output: %s", moment, child.output()).isPresent();
        child.kill9();
      }
      assertThat(applied(target)).as("killed before the large transaction committed").isEqualTo("0:1");
    }
    try (JavaProcess child = JavaProcess.start(CrashApplyMain.class, List.of("-Xmx256m"), target,
        journal.toString(), "oldest")) {
      assertThat(child.awaitExit(Duration.ofSeconds(300))).as(child.output()).isZero();
      assertThat(child.output()).contains("DONE 0:3");
    }
    assertSameTables(target, reference);
  }

  @Test
  void terminatedBackendInTheMiddleOfALargeTransactionIsRetriedFromTheJournal() throws Exception {
    int rows = 200_000;
    String target = prepare("terminate_target", rows);
    String reference = prepare("terminate_reference", rows);
    runOnSource(reference, rows);
    Path journal = writeJournal(rows);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ApplyConfig config = ApplyConfig.defaults("r1", "journal-1");
    Thread applying;
    try (Applier applier = JdbcApplier.open(config, () -> DriverManager.getConnection(target))) {
      applying = Thread.ofPlatform().start(() -> {
        try {
          LargeTxs.apply(applier, journal);
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      Optional<Integer> backend = awaitStatement(target, "COPY ferry_stage%", null);
      assertThat(backend).as("the applier reached the staging COPY").isPresent();
      try (Connection c = DriverManager.getConnection(target);
           PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
        ps.setInt(1, backend.get());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getBoolean(1)).isTrue();
        }
      }
      applying.join(Duration.ofSeconds(300).toMillis());
      assertThat(failure.get()).isNull();
      assertThat(applier.position().applied()).isEqualTo(GtidSet.parse("0:3"));
    }
    assertSameTables(target, reference);
  }

  /** A database with the pgbench tables, {@code rows} accounts and nothing in the history. */
  private static String prepare(String name, int rows) throws Exception {
    String url = postgres.cluster().createDatabase(name);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      for (String sql : SCHEMA.split(";")) {
        st.execute(sql);
      }
      st.execute("INSERT INTO pgbench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, "
          + rows + ") g");
    }
    return url;
  }

  /** What the source ran, in three transactions; the journal holds their changes. */
  private static void runOnSource(String url, int rows) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO pgbench_history VALUES (0, 1, 7)");
      c.setAutoCommit(false);
      st.execute("UPDATE pgbench_accounts SET abalance = abalance + 1");
      st.execute("INSERT INTO pgbench_history SELECT g, g, 1 FROM generate_series(1, " + HISTORY_ROWS + ") g");
      c.commit();
      c.setAutoCommit(true);
      st.execute("UPDATE pgbench_accounts SET abalance = 5 WHERE aid = " + rows);
    }
  }

  private Path writeJournal(int rows) throws Exception {
    Path journal = Files.createDirectories(dir.resolve("journal"));
    try (Journal j = Journal.open(JournalConfig.defaults(journal))) {
      j.append(Transactions.tx(1, new Change.Insert(HISTORY, HISTORY_COLS, row(0, 1, 7)))).get();
      LargeTransactionWriter large = j.beginLarge(Transactions.gtid(2));
      List<Change> chunk = new ArrayList<>();
      for (int aid = 1; aid <= rows; aid++) {
        chunk.add(new Change.Update(ACCOUNTS, ACCOUNT_COLS, Change.OldImage.NONE, List.of(),
            row(aid, (aid - 1) / 100000 + 1, 1, FILLER)));
        chunk = appendIfFull(large, chunk);
      }
      for (int hid = 1; hid <= HISTORY_ROWS; hid++) {
        chunk.add(new Change.Insert(HISTORY, HISTORY_COLS, row(hid, hid, 1)));
        chunk = appendIfFull(large, chunk);
      }
      large.append(chunk);
      large.commit(Transactions.T0.plusSeconds(2), 1, SourcePosition.changeId(2)).get();
      CompletableFuture<?> last = j.append(Transactions.tx(3, new Change.Update(ACCOUNTS, ACCOUNT_COLS,
          Change.OldImage.NONE, List.of(), row(rows, (rows - 1) / 100000 + 1, 5, FILLER))));
      last.get();
    }
    return journal;
  }

  private static List<Change> appendIfFull(LargeTransactionWriter large, List<Change> chunk) {
    if (chunk.size() < 4096) {
      return chunk;
    }
    large.append(chunk);
    return new ArrayList<>();
  }

  /** The backend running a statement like {@code pattern} on the target, once one does (or empty after 120 s). */
  private static Optional<Integer> awaitStatement(String url, String pattern, JavaProcess child) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    try (Connection c = DriverManager.getConnection(url);
         PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
             + " AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE ?")) {
      ps.setString(1, pattern);
      while (System.nanoTime() < deadline && (child == null || child.isAlive())) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Optional.of(rs.getInt(1));
          }
        }
        Thread.sleep(5);
      }
    }
    return Optional.empty();
  }

  private static String applied(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT applied_gtids FROM _ferry.replication_control")) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  private static void assertSameTables(String target, String reference) throws Exception {
    try (Connection t = DriverManager.getConnection(target); Connection r = DriverManager.getConnection(reference)) {
      for (String table : List.of("pgbench_accounts", "pgbench_history")) {
        TableDigest expected = TableDigest.of(r, table);
        assertThat(expected.rows()).isPositive();
        assertThat(TableDigest.of(t, table)).isEqualTo(expected);
      }
    }
  }
}
