package dev.ferry.apply.schedule;

import static dev.ferry.apply.schedule.ModelWorkload.A;
import static dev.ferry.apply.schedule.ModelWorkload.A_COLS;
import static dev.ferry.apply.schedule.ModelWorkload.B;
import static dev.ferry.apply.schedule.ModelWorkload.B_COLS;
import static dev.ferry.apply.schedule.ModelWorkload.K;
import static dev.ferry.apply.schedule.ModelWorkload.K_COLS;
import static dev.ferry.journal.fixtures.Transactions.delete;
import static dev.ferry.journal.fixtures.Transactions.deleteFull;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.update;
import static dev.ferry.journal.fixtures.Transactions.updateFull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.Transaction;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteKeysTest {
  private static final WriteKeys.Catalog CATALOG = ModelWorkload.catalog(true);

  private static WriteKeys keys(Transaction tx) throws SQLException {
    return WriteKeys.of(tx, TableFilter.ALL, CATALOG, WriteKeys.DEFAULT_MAX_CHANGES);
  }

  @Test
  void rowsOfDifferentKeysDoNotConflictAndOfOneKeyDo() throws SQLException {
    WriteKeys one = keys(tx(1, insert(B, B_COLS, 1, 10)));
    WriteKeys two = keys(tx(2, insert(B, B_COLS, 2, 20)));
    WriteKeys againOne = keys(tx(3, update(B, B_COLS, List.of(), 1, 11)));
    assertThat(one.conflictsWith(two)).isFalse();
    assertThat(one.conflictsWith(againOne)).isTrue();
    assertThat(one.rows()).containsExactly(new WriteKeys.RowKey(B, "", row(1)));
  }

  @Test
  void anUpdateThatMovesTheKeyWritesTheOldAndTheNewKey() throws SQLException {
    WriteKeys move = keys(tx(1, update(B, B_COLS, row(1, null), 2, 10)));
    assertThat(move.rows()).containsExactlyInAnyOrder(new WriteKeys.RowKey(B, "", row(1)),
        new WriteKeys.RowKey(B, "", row(2)));
  }

  @Test
  void uniqueKeysBesidesThePrimaryKeyAreKeysToo() throws SQLException {
    WriteKeys first = keys(tx(1, insert(A, A_COLS, 1, "x", 0)));
    WriteKeys sameEmail = keys(tx(2, deleteFull(A, A_COLS, 9, "x", 0)));
    assertThat(first.conflictsWith(sameEmail)).isTrue();
    assertThat(first.rows()).contains(new WriteKeys.RowKey(A, "par_a_email_key", row("x")));
  }

  @Test
  void changesWhoseOldUniqueValuesAreUnknownWriteTheWholeTable() throws SQLException {
    assertThat(keys(tx(1, delete(A, A_COLS, 1, null, null))).tables()).containsExactly(A);
    assertThat(keys(tx(2, update(A, A_COLS, row(1, null, null), 2, "y", 0))).tables()).containsExactly(A);
    assertThat(keys(tx(3, updateFull(A, A_COLS, row(1, "x", 0), 1, "y", 0))).tables()).isEmpty();
  }

  @Test
  void aKeylessTableIsWrittenWholeAndConflictsWithEveryRowOfIt() throws SQLException {
    WriteKeys keyless = keys(tx(1, insert(K, K_COLS, 1, 1)));
    assertThat(keyless.tables()).containsExactly(K);
    assertThat(keyless.conflictsWith(keys(tx(2, insert(K, K_COLS, 2, 2))))).isTrue();
    assertThat(keyless.conflictsWith(keys(tx(3, insert(B, B_COLS, 2, 2))))).isFalse();
  }

  @Test
  void ddlTruncateSequencesUnknownTablesAndHugeTransactionsAreBarriers() throws SQLException {
    assertThat(keys(tx(1, new Change.Ddl("CREATE TABLE t (i int)", "public", 2))).barrier()).isTrue();
    assertThat(keys(tx(2, new Change.Truncate(List.of(B), false, false))).barrier()).isTrue();
    assertThat(keys(tx(3, new Change.SequenceAdvance(table("s"), 5))).barrier()).isTrue();
    assertThat(keys(tx(4, insert(table("elsewhere"), B_COLS, 1, 1))).barrier()).isTrue();
    Transaction big = tx(5, insert(B, B_COLS, 1, 1), insert(B, B_COLS, 2, 2));
    assertThat(WriteKeys.of(big, TableFilter.ALL, CATALOG, 1).barrier()).isTrue();
    assertThat(WriteKeys.BARRIER.conflictsWith(new WriteKeys(false, Set.of(), Set.of()))).isTrue();
  }

  @Test
  void tablesTheFilterLeavesOutWriteNothing() throws SQLException {
    TableFilter onlyB = TableFilter.of(List.of("public\\.par_b"), List.of());
    WriteKeys keys = WriteKeys.of(tx(1, insert(table("elsewhere"), B_COLS, 1, 1), insert(B, B_COLS, 1, 1)), onlyB,
        CATALOG, WriteKeys.DEFAULT_MAX_CHANGES);
    assertThat(keys.barrier()).isFalse();
    assertThat(keys.rows()).hasSize(1);
  }

  @Test
  void theTrackerWaitsForTheLastWriterOfAKeyAndABarrierForAll() {
    DependencyTracker tracker = new DependencyTracker();
    WriteKeys b1 = new WriteKeys(false, Set.of(), Set.of(new WriteKeys.RowKey(B, "", row(1))));
    WriteKeys b2 = new WriteKeys(false, Set.of(), Set.of(new WriteKeys.RowKey(B, "", row(2))));
    WriteKeys wholeB = new WriteKeys(false, Set.of(B), Set.of());
    assertThat(tracker.admit(0, b1)).isEmpty();
    assertThat(tracker.admit(1, b2)).isEmpty();
    assertThat(tracker.admit(2, b1)).containsExactly(0L);
    assertThat(tracker.admit(3, wholeB)).containsExactlyInAnyOrder(0L, 1L, 2L);
    tracker.committed(0);
    tracker.committed(1);
    assertThat(tracker.admit(4, b2)).containsExactly(3L);
    assertThat(tracker.admit(5, WriteKeys.BARRIER)).containsExactlyInAnyOrder(2L, 3L, 4L);
    assertThat(tracker.admit(6, b1)).containsExactly(5L);
    assertThatThrownBy(() -> tracker.admit(6, b1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unit 6 admitted after unit 6");
  }
}
