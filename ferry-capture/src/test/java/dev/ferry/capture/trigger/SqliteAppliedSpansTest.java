package dev.ferry.capture.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.capture.MemorySink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Value;
import dev.ferry.testkit.SqliteDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The change rows between Ferry's apply marks ({@code B} … {@code E} rows in {@code _ferry_changes},
 * written in the apply's own transaction) are what Ferry applied: left out of the journal unless
 * forwarded; the marks never reach it; Ferry's apply control tables are never captured.
 */
@Timeout(120)
class SqliteAppliedSpansTest {
  private static final String MARK = "INSERT INTO _ferry_changes(tbl, op, sv) SELECT '', '%s', schema_version"
      + " FROM pragma_schema_version()";

  @Test
  void leavesOutWhatFerryAppliedButKeepsLocalWrites() throws Exception {
    assertThat(captured(false)).containsExactly("+1", "+4", "+5");
  }

  @Test
  void forwardingKeepsWhatFerryAppliedToo() throws Exception {
    assertThat(captured(true)).containsExactly("+1", "+2", "+3", "+4", "~6", "~4", "+5");
  }

  /**
   * Local 1; applied 2 and 3 (with a write to Ferry's progress table); local 4; then a poll holding
   * only an applied span (4 updated to 6 and back), which leaves nothing to journal but must not be
   * read again; local 5. Inserts of items as {@code +id}, updates as {@code ~id}, anything else whole.
   */
  private List<String> captured(boolean forward) throws Exception {
    MemorySink sink = new MemorySink();
    try (SqliteDatabase db = SqliteDatabase.create(); Connection app = db.connect();
        Statement st = app.createStatement()) {
      st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY)");
      st.execute("CREATE TABLE ferry_replication_control (source TEXT PRIMARY KEY, applied_gtids TEXT NOT NULL)");
      try (SqliteCapture capture = SqliteCapture.open(SqliteSourceConfig.of("lite", db.jdbcUrl())
          .withForwardApplied(forward), sink)) {
        st.execute("INSERT INTO items VALUES (1)");
        app.setAutoCommit(false);
        st.execute(MARK.formatted("B"));
        st.execute("INSERT INTO items VALUES (2)");
        st.execute("INSERT INTO items VALUES (3)");
        st.execute(MARK.formatted("E"));
        st.execute("INSERT OR REPLACE INTO ferry_replication_control VALUES ('j', '0-1-1')");
        app.commit();
        app.setAutoCommit(true);
        st.execute("INSERT INTO items VALUES (4)");
        capture.poll();
        app.setAutoCommit(false);
        st.execute(MARK.formatted("B"));
        st.execute("UPDATE items SET id = 6 WHERE id = 4");
        st.execute("UPDATE items SET id = 4 WHERE id = 6");
        st.execute(MARK.formatted("E"));
        app.commit();
        app.setAutoCommit(true);
        Instant before = Instant.now();
        capture.poll();
        assertThat(capture.caughtUpAsOf()).as("a poll of only what Ferry applied is done with it").get()
            .matches(at -> !at.isBefore(before));
        st.execute("INSERT INTO items VALUES (5)");
        capture.poll();
      }
    }
    List<Change> changes = sink.transactions().stream().flatMap(t -> t.changes().stream()).toList();
    return changes.stream().map(c -> switch (c) {
      case Change.Insert i when i.table().name().equals("items") -> "+" + ((Value.Int64) i.row().get(0)).value();
      case Change.Update u when u.table().name().equals("items") -> "~" + ((Value.Int64) u.row().get(0)).value();
      default -> c.toString();
    }).toList();
  }
}
