package dev.ferry.capture.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Replays a journal's row changes into a PostgreSQL database with plain JDBC (tests may not use
 * ferry-apply), one journal transaction per database transaction, and checks on the way that
 * GTIDs are consecutive from 1 and source positions strictly increase. Values go in as untyped
 * text cast to the column's type, so PostgreSQL's own input functions read them back.
 *
 * <p>Handles inserts, updates and deletes of tables with a primary key; other changes are skipped.
 */
final class JournalReplay {
  private final Connection c;
  private final Map<TableId, List<String>> keys = new HashMap<>();

  private JournalReplay(Connection c) {
    this.c = c;
  }

  /** Replays everything {@code reader} holds now into {@code c}; returns the number of transactions. */
  static long replay(JournalReader reader, Connection c) throws Exception {
    JournalReplay replay = new JournalReplay(c);
    try (var st = c.createStatement()) {
      st.execute("SET synchronous_commit = off"); // a test database: commit order matters, not durability
    }
    c.setAutoCommit(false);
    long seq = 0;
    SourcePosition last = SourcePosition.NONE;
    for (Optional<JournalTransaction> tx = reader.next(Duration.ZERO); tx.isPresent(); tx = reader.next(Duration.ZERO)) {
      seq++;
      assertThat(tx.get().gtid().seq()).as("GTID after %d transactions", seq - 1).isEqualTo(seq);
      assertThat(tx.get().sourcePosition()).as("source position of %s", tx.get().gtid()).isGreaterThan(last);
      last = tx.get().sourcePosition();
      try (ChangeCursor cursor = tx.get().changes()) {
        while (cursor.advance()) {
          replay.apply(cursor.current());
        }
      }
      c.commit();
    }
    return seq;
  }

  private void apply(Change change) throws SQLException {
    switch (change) {
      case Change.Insert i -> execute("INSERT INTO " + name(i.table()) + " (" + i.columns().stream()
          .map(col -> quote(col.name())).collect(Collectors.joining(", ")) + ") VALUES (" + i.columns().stream()
          .map(JournalReplay::param).collect(Collectors.joining(", ")) + ")", i.row());
      case Change.Update u -> update(u);
      case Change.Delete d -> {
        List<Value> params = new ArrayList<>();
        execute("DELETE FROM " + name(d.table()) + where(d.table(), d.columns(), d.old(), params), params);
      }
      default -> {
      }
    }
  }

  private void update(Change.Update u) throws SQLException {
    List<String> sets = new ArrayList<>();
    List<Value> params = new ArrayList<>();
    for (int i = 0; i < u.columns().size(); i++) {
      if (!(u.row().get(i) instanceof Value.Unchanged)) {
        sets.add(quote(u.columns().get(i).name()) + " = " + param(u.columns().get(i)));
        params.add(u.row().get(i));
      }
    }
    List<Value> old = u.oldImage() == Change.OldImage.NONE ? u.row() : u.old();
    execute("UPDATE " + name(u.table()) + " SET " + String.join(", ", sets) + where(u.table(), u.columns(), old,
        params), params);
  }

  private String where(TableId table, List<Column> columns, List<Value> old, List<Value> params) throws SQLException {
    List<String> terms = new ArrayList<>();
    for (String key : keys(table)) {
      int i = indexOf(columns, key);
      terms.add(quote(key) + " = " + param(columns.get(i)));
      params.add(old.get(i));
    }
    return " WHERE " + String.join(" AND ", terms);
  }

  private void execute(String sql, List<Value> values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.size(); i++) {
        switch (values.get(i)) {
          case Value.Text t -> ps.setObject(i + 1, t.value(), Types.OTHER);
          case Value.Null n -> ps.setNull(i + 1, Types.OTHER);
          default -> throw new IllegalArgumentException("replay cannot bind " + values.get(i) + " in " + sql);
        }
      }
      assertThat(ps.executeUpdate()).as("rows changed by %s with %s", sql, values).isEqualTo(1);
    }
  }

  private List<String> keys(TableId table) throws SQLException {
    List<String> known = keys.get(table);
    if (known == null) {
      known = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, table.schema(), table.name())) {
        while (rs.next()) {
          known.add(rs.getString("COLUMN_NAME"));
        }
      }
      assertThat(known).as("primary key of %s", table).isNotEmpty();
      keys.put(table, known);
    }
    return known;
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no column " + name + " in " + columns);
  }

  private static String param(Column column) {
    return "CAST(? AS " + column.typeName() + ")";
  }

  private static String name(TableId table) {
    return quote(table.schema()) + "." + quote(table.name());
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
