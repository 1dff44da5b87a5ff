package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.gtid;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A group's opening read ({@link GroupStart}): one statement that returns the progress row and the
 * table-copy marks and still locks as two separate reads did — the progress row for update (a
 * second applier of the source waits), the marks shared (a copier marking a table COPYING waits
 * for the group) — on PostgreSQL and MariaDB, whose locking clauses differ beside a UNION.
 */
@Timeout(120)
class GroupStartTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final TableId PARCELS = table("parcels");
  private static final TableId OTHER = table("other");
  private static final List<Column> COLS = cols("id:int8");

  @RegisterExtension
  static final PostgresClusterExtension postgres = new PostgresClusterExtension();
  @RegisterExtension
  static final MariaDbServerExtension mariadb = new MariaDbServerExtension();

  private final ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE);

  @Test
  void onPostgresOneReadReturnsBothAndLocksBoth() throws Exception {
    String url = postgres.cluster().createDatabase("start" + DATABASES.incrementAndGet());
    check(url, "SET lock_timeout = '500ms'", "CREATE TABLE parcels (id bigint PRIMARY KEY)");
  }

  @Test
  void onMariaDbOneReadReturnsBothAndLocksBoth() throws Exception {
    String url = MariaDbTargets.fresh(mariadb, "start", "");
    check(url, "SET SESSION innodb_lock_wait_timeout = 1", "CREATE TABLE parcels (id bigint PRIMARY KEY)");
  }

  private void check(String url, String shortLockWait, String createTable) throws Exception {
    ConnectionSource target = () -> DriverManager.getConnection(url);
    try (Connection c = target.connect(); Statement st = c.createStatement()) {
      st.execute(createTable);
    }
    try (Applier applier = JdbcApplier.open(config, target)) {
      applier.apply(tx(1, insert(PARCELS, COLS, 1)));
    }
    try (Connection c = target.connect()) {
      SeedTarget.on(c, config).markCopied(PARCELS, SourcePosition.changeId(7));
    }
    try (Connection group = target.connect(); Connection other = target.connect()) {
      group.setAutoCommit(false);
      Dialect dialect = Dialect.of(group);
      GroupStart start = GroupStart.open(group, dialect, new ProgressStore(dialect, "src-1"), "src-1", true);
      assertThat(start.position().applied().contains(gtid(1))).as("%s", start.position()).isTrue();
      assertThat(start.position().journalPosition()).isEmpty();
      assertThat(start.marks()).containsOnlyKeys(PARCELS);
      assertThat(start.marks().get(PARCELS).state()).isEqualTo(TableCopyGate.State.COPIED);
      assertThat(start.marks().get(PARCELS).snapshot()).contains(SourcePosition.changeId(7));

      try (Statement st = other.createStatement()) {
        st.execute(shortLockWait); // in autocommit: a rolled-back transaction would undo it on PostgreSQL
      }
      other.setAutoCommit(false);
      ProgressStore progress = new ProgressStore(dialect, "src-1");
      assertThatThrownBy(() -> progress.read(other, true)).as("a second applier waits for the group's row lock")
          .isInstanceOf(SQLException.class);
      other.rollback();
      assertThatThrownBy(() -> TableCopyGate.mark(other, dialect, "src-1", OTHER, TableCopyGate.State.COPYING,
          Optional.empty())).as("a copier marking COPYING waits for the group").isInstanceOf(SQLException.class);
      other.rollback();

      group.rollback();
      progress.read(other, true);
      TableCopyGate.mark(other, dialect, "src-1", OTHER, TableCopyGate.State.COPYING, Optional.empty());
      other.commit();
    }
  }
}
