package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ConnectionSource;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.testkit.MariaDbServerExtension;
import dev.ferry.testkit.PostgresClusterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Marking a table COPYING ({@link SeedTarget#markCopying}) waits for every group of the source that
 * read the marks before (they may write the table with changes the copy's snapshot also holds),
 * whether the source has marks yet or not, and whether the group locked the progress row (a serial
 * applier) or not (a parallel worker): on MariaDB (READ COMMITTED, no gap locks), PostgreSQL, and
 * SQLite, where such a group cannot write at all once the mark is committed.
 */
@Timeout(180)
class TableCopyGateLockTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final TableId PARCELS = table("parcels");
  private static final TableId OTHER = table("other");
  private static final List<Column> COLS = cols("id:int8");
  private static final String CREATE = "CREATE TABLE parcels (id bigint PRIMARY KEY)";

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();
  @RegisterExtension
  final FreshSqliteTarget sqlite = new FreshSqliteTarget();

  private final ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE);

  @Test
  void onMariaDbMarkingCopyingWaitsForAGroupThatFoundNoMarks() throws Exception {
    for (boolean serial : new boolean[] {true, false}) {
      ConnectionSource target = mariaDb();
      markingWaitsForTheGroup(target, serial, MARIADB_WAITING);
    }
  }

  @Test
  void onMariaDbMarkingCopyingWaitsForAGroupThatFoundMarks() throws Exception {
    for (boolean serial : new boolean[] {true, false}) {
      ConnectionSource target = mariaDb();
      try (Connection c = target.connect()) {
        SeedTarget.on(c, config).markCopied(OTHER, SourcePosition.changeId(7));
      }
      markingWaitsForTheGroup(target, serial, MARIADB_WAITING);
    }
  }

  @Test
  void onMariaDbASeedsPositionClearsTheMarksButNotTheGate() throws Exception {
    ConnectionSource target = mariaDb();
    try (Connection c = target.connect()) {
      SeedTarget seed = SeedTarget.on(c, config);
      seed.markCopied(OTHER, SourcePosition.changeId(7));
      seed.writePosition(seed.readPosition(), Instant.now());
      c.commit();
      assertThat(seed.copyState(OTHER)).isEmpty();
      c.rollback();
    }
    markingWaitsForTheGroup(target, false, MARIADB_WAITING);
  }

  @Test
  void onPostgresMarkingCopyingWaitsForAGroupWithOrWithoutMarks() throws Exception {
    for (boolean marked : new boolean[] {false, true}) {
      String url = postgres.cluster().createDatabase("gatelock" + DATABASES.incrementAndGet());
      ConnectionSource target = () -> DriverManager.getConnection(url);
      prepare(target);
      if (marked) {
        try (Connection c = target.connect()) {
          SeedTarget.on(c, config).markCopied(OTHER, SourcePosition.changeId(7));
        }
      }
      markingWaitsForTheGroup(target, false, POSTGRES_WAITING);
    }
  }

  /**
   * SQLite has one writer: a group that read the marks before the copier committed COPYING cannot
   * write afterwards (its read is older than the last commit: {@code SQLITE_BUSY}), so it rolls
   * back and reads the mark again.
   */
  @Test
  void onSqliteAGroupThatReadTheMarksBeforeCannotWriteAfterTheMark() throws Exception {
    ConnectionSource target = sqlite.target();
    prepare(target);
    try (Connection group = target.connect(); Connection copier = target.connect()) {
      SeedTarget seed = SeedTarget.on(copier, config);
      group.setAutoCommit(false);
      Dialect dialect = Dialect.of(group);
      GroupStart start = GroupStart.open(group, dialect, new ProgressStore(dialect, "src-1"), "src-1", true);
      assertThat(start.marks()).isEmpty();
      seed.markCopying(PARCELS);
      try (Statement st = group.createStatement()) {
        assertThatThrownBy(() -> st.executeUpdate("INSERT INTO parcels VALUES (2)"))
            .as("a group that read no marks writes after COPYING was committed").isInstanceOf(SQLException.class)
            .hasMessageContaining("BUSY");
      }
      group.rollback();
      GroupStart again = GroupStart.open(group, dialect, new ProgressStore(dialect, "src-1"), "src-1", true);
      assertThat(again.marks()).containsOnlyKeys(PARCELS);
      group.rollback();
    }
  }

  /** How a test asks whether the session {@code id} waits for a lock. */
  private interface Waiting {
    String idQuery();

    String waitingQuery();
  }

  private static final Waiting MARIADB_WAITING = new Waiting() {
    @Override
    public String idQuery() {
      return "SELECT CONNECTION_ID()";
    }

    @Override
    public String waitingQuery() {
      // Not INNODB_TRX / INNODB_LOCK_WAITS: they are a copy InnoDB refreshes only when nobody read
      // it for 100 ms, which polling every 20 ms never lets happen (MariaDbBlocksAnotherSessionTest).
      // The copier's statement still running after a second is the wait.
      return "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query'"
          + " AND TIME_MS > 1000";
    }
  };

  private static final Waiting POSTGRES_WAITING = new Waiting() {
    @Override
    public String idQuery() {
      return "SELECT pg_backend_pid()";
    }

    @Override
    public String waitingQuery() {
      return "SELECT count(*) FROM pg_locks WHERE pid = ? AND NOT granted";
    }
  };

  private ConnectionSource mariaDb() throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "gatelock", "");
    ConnectionSource target = () -> DriverManager.getConnection(url);
    prepare(target);
    return target;
  }

  /** The table and an applier's first transaction: the control tables and the progress row exist. */
  private void prepare(ConnectionSource target) throws Exception {
    try (Connection c = target.connect(); Statement st = c.createStatement()) {
      st.execute(CREATE);
    }
    try (Applier applier = JdbcApplier.open(config, target)) {
      applier.apply(tx(1, insert(PARCELS, COLS, 1)));
    }
  }

  /**
   * A group opens as the applier opens it ({@code serial}: the progress row locked too, else as a
   * parallel worker) and stays open; a copier marking PARCELS COPYING must wait until it commits.
   */
  private void markingWaitsForTheGroup(ConnectionSource target, boolean serial, Waiting waiting) throws Exception {
    try (Connection group = target.connect(); Connection copier = target.connect(); Connection watch = target.connect()) {
      SeedTarget seed = SeedTarget.on(copier, config);
      long copierId = scalar(copier, waiting.idQuery());
      copier.rollback();
      Dialect dialect = Dialect.of(group);
      dialect.markFerrySession(group); // READ COMMITTED on MariaDB, as the applier's sessions
      group.setAutoCommit(false);
      GroupStart start = GroupStart.open(group, dialect, new ProgressStore(dialect, "src-1"), "src-1", serial);
      assertThat(start.marks()).doesNotContainKey(PARCELS);

      CompletableFuture<Void> marking = CompletableFuture.runAsync(() -> {
        try {
          seed.markCopying(PARCELS);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
      while (!marking.isDone() && !waits(watch, waiting, copierId)) {
        assertThat(Instant.now()).as("the copier neither waits for a lock nor returns").isBefore(deadline);
        Thread.sleep(20);
      }
      assertThat(marking.isDone()).as("marking COPYING (serial group: %s) returned while a group that read the"
          + " marks before is open: %s", serial, marking).isFalse();

      group.commit();
      marking.get(30, TimeUnit.SECONDS);
      assertThat(seed.copyState(PARCELS)).hasValue(SeedTarget.CopyState.COPYING);
      copier.rollback();
      GroupStart after = GroupStart.open(group, dialect, new ProgressStore(dialect, "src-1"), "src-1", serial);
      assertThat(after.marks().get(PARCELS).state()).isEqualTo(TableCopyGate.State.COPYING);
      group.rollback();
    }
  }

  private static boolean waits(Connection watch, Waiting waiting, long id) throws SQLException {
    try (PreparedStatement ps = watch.prepareStatement(waiting.waitingQuery())) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
