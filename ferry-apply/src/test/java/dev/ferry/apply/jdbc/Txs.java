package dev.ferry.apply.jdbc;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Hand-built transactions for tests. */
final class Txs {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Txs() {
  }

  static Gtid gtid(long seq) {
    return new Gtid(0, 1, seq);
  }

  static Transaction tx(long seq, Change... changes) {
    return txAt(seq, 1, changes);
  }

  static Transaction txAt(long seq, long schemaSequence, Change... changes) {
    return new Transaction(gtid(seq), T0.plusSeconds(seq), schemaSequence, SourcePosition.changeId(seq),
        List.of(changes));
  }

  static TableId table(String name) {
    return new TableId("public", name);
  }

  /** Columns from "name:type" pairs. */
  static List<Column> cols(String... specs) {
    List<Column> out = new ArrayList<>();
    for (String spec : specs) {
      int colon = spec.lastIndexOf(':');
      out.add(new Column(spec.substring(0, colon), spec.substring(colon + 1), 0));
    }
    return out;
  }

  /** Values: null → NULL, Value as is, anything else → Text of its toString. */
  static List<Value> row(Object... values) {
    return Arrays.stream(values).map(v -> v == null ? Value.NULL : v instanceof Value x ? x
        : (Value) new Value.Text(v.toString())).toList();
  }

  static Change.Insert insert(TableId t, List<Column> cols, Object... values) {
    return new Change.Insert(t, cols, row(values));
  }

  static Change.Update update(TableId t, List<Column> cols, List<Value> old, Object... values) {
    return new Change.Update(t, cols, old.isEmpty() ? Change.OldImage.NONE : Change.OldImage.KEY, old, row(values));
  }

  static Change.Update updateFull(TableId t, List<Column> cols, List<Value> old, Object... values) {
    return new Change.Update(t, cols, Change.OldImage.FULL, old, row(values));
  }

  static Change.Delete delete(TableId t, List<Column> cols, Object... key) {
    return new Change.Delete(t, cols, Change.OldImage.KEY, row(key));
  }

  static Change.Delete deleteFull(TableId t, List<Column> cols, Object... old) {
    return new Change.Delete(t, cols, Change.OldImage.FULL, row(old));
  }
}
