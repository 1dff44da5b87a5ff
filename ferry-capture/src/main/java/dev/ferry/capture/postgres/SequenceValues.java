package dev.ferry.capture.postgres;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Change.SequenceAdvance}s one transaction ends with: for each sequence owned by a
 * table it touched, the value the catalog shows after the commit, raised to the largest value the
 * transaction wrote into the owning column (lowered to the smallest for a descending sequence).
 *
 * <p>Why both: the catalog is read when capture sees the commit, which may be long after it
 * (capture was down, or behind). A {@code TRUNCATE … RESTART IDENTITY} committed in between has
 * reset the sequence, and its value is then below the ids the transaction put in its table; a
 * replica that stops after that transaction would hand out those ids again. The rows the
 * transaction wrote are a bound that cannot go stale. A restart inside the transaction itself
 * drops what was written before it, since those rows are gone.
 *
 * <p>Not thread-safe: used by the capture thread only.
 */
final class SequenceValues {
  private static final int[] NONE = new int[0];

  private final Catalog catalog;
  /** Per sequence, the extreme value the open transaction wrote into its owning column. */
  private final Map<TableId, Long> written = new HashMap<>();
  /** Owned sequences and their column indexes for the last relation written, so most rows need no lookup. */
  private int lastRelId = -1;
  private List<Column> lastColumns;
  private int lastGeneration = -1;
  private List<Catalog.OwnedSequence> lastOwned = List.of();
  private int[] lastIndexes = NONE;

  SequenceValues(Catalog catalog) {
    this.catalog = catalog;
  }

  /** A row the transaction wrote (an insert, or an update's new row) into relation {@code relId}. */
  void wrote(int relId, List<Column> columns, List<Value> row) throws SQLException {
    if (relId != lastRelId || columns != lastColumns || catalog.sequencesGeneration() != lastGeneration) {
      describe(relId, columns);
    }
    for (int i = 0; i < lastIndexes.length; i++) {
      int index = lastIndexes[i];
      if (index >= 0 && index < row.size() && row.get(index) instanceof Value.Text t) {
        record(lastOwned.get(i), t.value());
      }
    }
  }

  private void describe(int relId, List<Column> columns) throws SQLException {
    lastOwned = catalog.ownedSequences(relId);
    lastIndexes = lastOwned.isEmpty() ? NONE : new int[lastOwned.size()];
    for (int i = 0; i < lastIndexes.length; i++) {
      lastIndexes[i] = indexOf(columns, lastOwned.get(i).column());
    }
    lastRelId = relId;
    lastColumns = columns;
    lastGeneration = catalog.sequencesGeneration();
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private void record(Catalog.OwnedSequence owned, String text) {
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return; // not an integer column (a sequence owned by a numeric or text column): no bound from it
    }
    written.merge(owned.sequence(), value, owned.descending() ? Math::min : Math::max);
  }

  /** {@code TRUNCATE … RESTART IDENTITY} of relation {@code relId}: its rows written so far are gone. */
  void restarted(int relId) throws SQLException {
    for (Catalog.OwnedSequence owned : catalog.ownedSequences(relId)) {
      written.remove(owned.sequence());
    }
  }

  /** The advances for the relations touched ({@code touched[0..count)}), each sequence once, in touch order. */
  List<Change.SequenceAdvance> advances(int[] touched, int count) throws SQLException {
    List<Catalog.OwnedSequence> sequences = null; // most transactions touch no table owning one
    for (int i = 0; i < count; i++) {
      for (Catalog.OwnedSequence owned : catalog.ownedSequences(touched[i])) {
        if (sequences == null) {
          sequences = new ArrayList<>();
        }
        if (sequences.stream().noneMatch(s -> s.sequence().equals(owned.sequence()))) {
          sequences.add(owned);
        }
      }
    }
    if (sequences == null) {
      return List.of();
    }
    Map<TableId, Long> read = catalog.sequenceValues(sequences.stream().map(Catalog.OwnedSequence::sequence).toList());
    List<Change.SequenceAdvance> advances = new ArrayList<>(sequences.size());
    for (Catalog.OwnedSequence owned : sequences) {
      Long now = read.get(owned.sequence());
      Long used = written.get(owned.sequence());
      Long value = now == null ? used : used == null ? now
          : owned.descending() ? Math.min(now, used) : Math.max(now, used);
      if (value != null) {
        advances.add(new Change.SequenceAdvance(owned.sequence(), value));
      }
    }
    return advances;
  }

  /** The transaction ended (committed or abandoned). */
  void reset() {
    written.clear();
  }
}
