package dev.ferry.apply.jdbc;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The applier and the marks of {@code ferry table add} on a real SQLite target: a COPYING table's
 * change waits, a COPIED table's changes before the snapshot are skipped and later ones applied,
 * and a seed's position clears the marks.
 */
@Timeout(60)
class TableCopyGateTest {
  private static final TableId PARCELS = table("parcels");
  private static final TableId OTHER = table("other");
  private static final List<Column> COLS = cols("id:int8");

  @RegisterExtension final FreshSqliteTarget sqlite = new FreshSqliteTarget();

  private final ApplyConfig config = ApplyConfig.defaults("r1", "src-1").withGrouping(ApplyConfig.Grouping.NONE);

  @Test
  void aCopyingTableHoldsItsChangeBackUntilCopiedThenSkipsWhatTheSnapshotHolds() throws Exception {
    exec("CREATE TABLE parcels (id INTEGER PRIMARY KEY)", "CREATE TABLE other (id INTEGER PRIMARY KEY)");
    try (Applier applier = JdbcApplier.open(config, sqlite.target()); Connection marks = sqlite.target().connect()) {
      SeedTarget target = SeedTarget.on(marks, config);
      target.markCopying(PARCELS);
      applier.apply(tx(1, insert(OTHER, COLS, 1)));
      AtomicReference<Exception> failure = new AtomicReference<>();
      Thread apply = Thread.ofPlatform().start(() -> {
        try {
          applier.apply(tx(2, insert(PARCELS, COLS, 2), insert(OTHER, COLS, 2)));
        } catch (Exception e) {
          failure.set(e);
        }
      });
      apply.join(1_000);
      assertThat(apply.isAlive()).as("the change to a COPYING table waits").isTrue();
      assertThat(ids("other")).containsExactly("1");
      target.markCopied(PARCELS, SourcePosition.changeId(3));
      apply.join(10_000);
      assertThat(failure.get()).isNull();
      applier.apply(tx(3, insert(PARCELS, COLS, 3)));
      assertThat(target.copyState(PARCELS)).hasValue(SeedTarget.CopyState.COPIED);
    }
    assertThat(ids("parcels")).as("2 is before the snapshot: the copy holds it").containsExactly("3");
    assertThat(ids("other")).containsExactly("1", "2");
  }

  @Test
  void aSeedsPositionClearsTheMarks() throws Exception {
    try (Connection c = sqlite.target().connect()) {
      SeedTarget target = SeedTarget.on(c, config);
      target.markCopying(PARCELS);
      target.writePosition(target.readPosition(), Transactions.T0);
      c.commit();
      assertThat(target.copyState(PARCELS)).isEmpty();
    }
  }

  @Test
  void filterDropsOnlyTheCopiedTablesChangesBeforeTheSnapshot() {
    Map<TableId, TableCopyGate.Mark> marks = Map.of(PARCELS, new TableCopyGate.Mark(PARCELS,
        TableCopyGate.State.COPIED, Optional.of(SourcePosition.changeId(5))));
    Transaction before = tx(4, insert(PARCELS, COLS, 1), insert(OTHER, COLS, 1),
        new Change.Truncate(List.of(PARCELS, OTHER), false, false));
    assertThat(TableCopyGate.filter(before, marks).changes()).containsExactly(insert(OTHER, COLS, 1),
        new Change.Truncate(List.of(OTHER), false, false));
    Transaction at = tx(5, insert(PARCELS, COLS, 1));
    assertThat(TableCopyGate.filter(at, marks)).isSameAs(at);
    Map<TableId, TableCopyGate.Mark> copying = Map.of(PARCELS, new TableCopyGate.Mark(PARCELS,
        TableCopyGate.State.COPYING, Optional.empty()));
    assertThatThrownBy(() -> TableCopyGate.filter(at, copying)).isInstanceOf(TableCopyGate.CopyRunning.class)
        .hasMessageContaining("parcels");
  }

  private void exec(String... sql) throws SQLException {
    try (Connection c = sqlite.target().connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private List<String> ids(String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = sqlite.target().connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
