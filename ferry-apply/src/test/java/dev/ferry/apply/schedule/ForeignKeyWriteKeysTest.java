package dev.ferry.apply.schedule;

import static dev.ferry.journal.fixtures.Transactions.cols;
import static dev.ferry.journal.fixtures.Transactions.delete;
import static dev.ferry.journal.fixtures.Transactions.deleteFull;
import static dev.ferry.journal.fixtures.Transactions.insert;
import static dev.ferry.journal.fixtures.Transactions.row;
import static dev.ferry.journal.fixtures.Transactions.table;
import static dev.ferry.journal.fixtures.Transactions.tx;
import static dev.ferry.journal.fixtures.Transactions.update;
import static dev.ferry.journal.fixtures.Transactions.updateFull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.apply.dialect.TableInfo;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableFilter;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Foreign keys in write sets: a child row writes the row key of the parent row it references — the
 * key the parent's own changes write — so the two never run at once; where the change does not say
 * which parent, the whole parent table.
 */
class ForeignKeyWriteKeysTest {
  private static final TableId P = table("fk_parent");
  private static final TableId C = table("fk_child");
  private static final TableId G = table("fk_loose");
  /** A source name of {@link #P} other than the target's (a SQLite source's {@code main.fk_parent}). */
  private static final TableId P_ALIAS = new TableId("main", "fk_parent");
  private static final List<Column> P_COLS = cols("id:int8", "code_a:text", "code_b:text");
  private static final List<Column> C_COLS = cols("id:int8", "parent_id:int8", "pa:text", "pb:text");
  private static final List<Column> G_COLS = cols("id:int8", "a:text");

  private static final WriteKeys.Catalog CATALOG = t -> Optional.ofNullable(
      t.equals(P) || t.equals(P_ALIAS) ? info(t, P, P_COLS, List.of(new TableInfo.UniqueKey("fk_parent_codes",
          List.of("code_a", "code_b"))), List.of())
      : t.equals(C) ? info(C, C, C_COLS, List.of(), List.of(
          new TableInfo.ForeignKey("c_parent", List.of("parent_id"), P, List.of("id")),
          // The key's order differs from the parent's unique key's: (pb, pa) → (code_b, code_a).
          new TableInfo.ForeignKey("c_codes", List.of("pb", "pa"), P, List.of("code_b", "code_a"))))
      : t.equals(G) ? info(G, G, G_COLS, List.of(), List.of(
          new TableInfo.ForeignKey("g_a", List.of("a"), P, List.of("code_a"))))
      : null);

  private static TableInfo info(TableId source, TableId target, List<Column> columns, List<TableInfo.UniqueKey> unique,
      List<TableInfo.ForeignKey> foreign) {
    return new TableInfo(source, target.toString(), columns.stream()
        .map(c -> new TableInfo.TargetColumn(c.name(), "text")).toList(), List.of("id"), false, unique, target, foreign);
  }

  private static WriteKeys keys(Transaction tx) throws SQLException {
    return WriteKeys.of(tx, TableFilter.ALL, CATALOG, WriteKeys.DEFAULT_MAX_CHANGES);
  }

  @Test
  void aChildRowWritesTheParentsOwnRowKeys() throws SQLException {
    WriteKeys parent = keys(tx(1, insert(P, P_COLS, 7, "a", "b")));
    WriteKeys child = keys(tx(2, insert(C, C_COLS, 1, 7, "a", "b")));
    assertThat(child.rows()).contains(new WriteKeys.RowKey(P, "", row(7)),
        new WriteKeys.RowKey(P, "fk_parent_codes", row("a", "b")));
    assertThat(parent.rows()).contains(new WriteKeys.RowKey(P, "", row(7)),
        new WriteKeys.RowKey(P, "fk_parent_codes", row("a", "b")));
    assertThat(child.conflictsWith(parent)).isTrue();
    assertThat(child.tables()).isEmpty();
  }

  @Test
  void aChildOfAnotherParentDoesNotConflict() throws SQLException {
    WriteKeys parent = keys(tx(1, insert(P, P_COLS, 7, "a", "b")));
    assertThat(keys(tx(2, insert(C, C_COLS, 1, 8, "x", "y"))).conflictsWith(parent)).isFalse();
    // Only the unique key matches: still the same parent row.
    assertThat(keys(tx(3, insert(C, C_COLS, 2, 8, "a", "b"))).conflictsWith(parent)).isTrue();
  }

  @Test
  void aNullReferenceReferencesNothing() throws SQLException {
    WriteKeys orphan = keys(tx(1, insert(C, C_COLS, 1, null, null, "b")));
    assertThat(orphan.rows()).containsExactly(new WriteKeys.RowKey(C, "", row(1)));
    assertThat(orphan.tables()).isEmpty();
  }

  @Test
  void theParentIsNamedAsTheTargetNamesIt() throws SQLException {
    WriteKeys parent = keys(tx(1, insert(P_ALIAS, P_COLS, 7, "a", "b")));
    assertThat(parent.rows()).contains(new WriteKeys.RowKey(P, "", row(7)));
    assertThat(keys(tx(2, insert(C, C_COLS, 1, 7, "x", "y"))).conflictsWith(parent)).isTrue();
  }

  @Test
  void deletesAndUpdatesWriteTheOldParentWhereTheyCarryIt() throws SQLException {
    WriteKeys deleteParent = keys(tx(1, deleteFull(P, P_COLS, 7, "a", "b")));
    WriteKeys fullDelete = keys(tx(2, deleteFull(C, C_COLS, 1, 7, "a", "b")));
    assertThat(fullDelete.conflictsWith(deleteParent)).isTrue();
    assertThat(fullDelete.tables()).isEmpty();
    WriteKeys move = keys(tx(3, updateFull(C, C_COLS, row(1, 7, "a", "b"), 1, 8, "x", "y")));
    assertThat(move.rows()).contains(new WriteKeys.RowKey(P, "", row(7)), new WriteKeys.RowKey(P, "", row(8)));
    assertThat(move.conflictsWith(deleteParent)).isTrue();
  }

  @Test
  void whereTheOldReferenceIsUnknownTheWholeParentTable() throws SQLException {
    // Old image of the key only: which parent the deleted row referenced is not in the change.
    assertThat(keys(tx(1, delete(C, C_COLS, 1, null, null, null))).tables()).containsExactly(P);
    // No old image: the reference may have changed from one the change does not name.
    WriteKeys update = keys(tx(2, update(C, C_COLS, List.of(), 1, 8, "x", "y")));
    assertThat(update.tables()).containsExactly(P);
    assertThat(update.conflictsWith(keys(tx(3, insert(P, P_COLS, 99, "q", "r"))))).isTrue();
  }

  @Test
  void aReferenceToColumnsThatAreNoKeyOfTheParentWritesTheWholeParentTable() throws SQLException {
    WriteKeys loose = keys(tx(1, insert(G, G_COLS, 1, "a")));
    assertThat(loose.tables()).containsExactly(P);
    assertThat(loose.rows()).containsExactly(new WriteKeys.RowKey(G, "", row(1)));
  }

  @Test
  void theTrackerMakesTheChildWaitForItsParent() throws SQLException {
    DependencyTracker tracker = new DependencyTracker();
    assertThat(tracker.admit(0, keys(tx(1, insert(P, P_COLS, 7, "a", "b"))))).isEmpty();
    assertThat(tracker.admit(1, keys(tx(2, insert(P, P_COLS, 8, "c", "d"))))).isEmpty();
    assertThat(tracker.admit(2, keys(tx(3, insert(C, C_COLS, 1, 8, "c", "d"))))).containsExactly(1L);
  }
}
