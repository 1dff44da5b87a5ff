package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A promoted SQLite database continues its old primary's journal ({@code ferry promote --capture},
 * docs/failover.md): the sink holds another source's history (a continuing resume point, no source
 * position of this database); capture numbers on after its last GTID with the configured server id,
 * reads its own change table from the start, leaves out what Ferry applied, numbers DDL above the
 * journal's, and refuses a database whose capture was not installed before it became writable.
 */
@Timeout(120)
class SqliteContinuedCaptureTest {
  private static final Gtid BRANCH = new Gtid(0, 1, 48);
  private static final String MARK = "INSERT INTO _ferry_changes(tbl, op, sv) SELECT '', '%s', schema_version"
      + " FROM pragma_schema_version()";

  @Test
  void continuesAfterTheBranchPointWithItsOwnServerIdAndSchemaSequence() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection app = db.connect();
        Statement st = app.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
      st.execute("INSERT INTO items VALUES (1, 'applied as a replica, before capture was installed')");
      st.execute("CREATE TABLE ferry_read_only (since TEXT NOT NULL)"); // a read-only replica's marker
      SqliteSourceConfig config = SqliteSourceConfig.of("lite", db.jdbcUrl()).withGtid(0, 2);
      try (Connection setup = db.connect()) {
        SqliteSetup.setup(setup, config);
      }
      assertThat(SqliteSetup.raiseSchemaSequence(config, 2)).isEqualTo(3);
      assertThat(SqliteSetup.raiseSchemaSequence(config, 1)).as("never moves back").isEqualTo(3);
      app.setAutoCommit(false);
      st.execute(MARK.formatted("B")); // promote's own transaction, enclosed in Ferry's marks
      st.execute("UPDATE items SET v = 'promote' WHERE id = 1");
      st.execute("DROP TABLE ferry_read_only"); // promote lifts the read-only mode: no DDL to journal
      st.execute(MARK.formatted("E"));
      app.commit();
      app.setAutoCommit(true);
      st.execute("INSERT INTO items VALUES (2, 'written before the first capture')");
      MemorySink sink = new MemorySink(List.of(oldPrimarysLast()));
      try (SqliteCapture capture = SqliteCapture.open(config, sink)) {
        capture.poll();
        st.execute("ALTER TABLE items ADD COLUMN note TEXT");
        st.execute("INSERT INTO items VALUES (3, 'after DDL', 'n')");
        capture.poll();
        capture.poll();
      }
      List<Transaction> mine = sink.transactions().subList(1, sink.transactions().size());
      assertThat(mine.getFirst().gtid()).as("the next sequence number, the configured server id")
          .isEqualTo(new Gtid(0, 2, 49));
      assertThat(mine.getFirst().sourcePosition().kind()).isEqualTo(SourcePosition.Kind.CHANGE_ID);
      assertThat(mine.stream().map(t -> t.gtid().seq()).toList()).as("consecutive")
          .containsExactlyElementsOf(java.util.stream.LongStream.range(49, 49 + mine.size()).boxed().toList());
      List<Change> changes = mine.stream().flatMap(t -> t.changes().stream()).toList();
      assertThat(changes).filteredOn(c -> c instanceof Change.Update).as("promote's own write is skipped").isEmpty();
      assertThat(changes).filteredOn(c -> c instanceof Change.Insert).hasSize(2);
      assertThat(changes).filteredOn(c -> c instanceof Change.Ddl).singleElement()
          .extracting(c -> ((Change.Ddl) c).schemaSequence()).as("DDL numbered above the journal's").isEqualTo(3L);
    }
  }

  @Test
  void refusesToContinueWhenCaptureWasNotInstalledBeforeTheDatabaseBecameWritable() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.create(); Connection app = db.connect();
        Statement st = app.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
      MemorySink sink = new MemorySink(List.of(oldPrimarysLast()));
      assertThatThrownBy(() -> SqliteCapture.open(SqliteSourceConfig.of("lite", db.jdbcUrl()).withGtid(0, 2), sink))
          .isInstanceOf(CaptureException.class).hasMessageContaining("continues after " + BRANCH)
          .hasMessageContaining("no Ferry change table (_ferry_changes)")
          .hasMessageContaining("'ferry promote --capture'");
      assertThat(SqliteDatabaseObjects.count(app)).as("nothing installed").isZero();
    }
  }

  /** The old primary's last transaction as the promoted node's journal copy holds it, seen as continued. */
  private static Transaction oldPrimarysLast() {
    return new Transaction(BRANCH, Instant.now(), 2, SourcePosition.NONE, List.of());
  }

  /** Ferry's tables in a SQLite database. */
  private static final class SqliteDatabaseObjects {
    static int count(Connection c) throws Exception {
      try (Statement st = c.createStatement(); var rs = st.executeQuery(
          "SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_ferry\\_%' ESCAPE '\\'")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
