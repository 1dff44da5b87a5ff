package dev.ferry.capture.trigger;

import static dev.ferry.capture.trigger.SqliteCatalog.quote;

import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a schema change in a SQLite source, holding the write lock throughout so nothing commits
 * in between. The journal transaction it writes holds, in order: the change rows written before the
 * change, the DDL (each with the next schema sequence), new tables' rows, and the change rows
 * written after it — those of altered tables re-read from the table, because their triggers still
 * recorded the old column list. Only once that is durable are the triggers re-created and the
 * bookkeeping and change rows updated, in the same SQLite transaction. If capture died in between,
 * the journal's schema sequence is ahead of the bookkeeping's, and the DDL is not journaled again.
 *
 * <p>Single use; not thread-safe.
 */
final class SchemaReconciler {
  private static final Logger log = LoggerFactory.getLogger(SchemaReconciler.class);

  private final SqliteSourceConfig config;
  private final Connection conn;
  private final TransactionSink sink;
  private final SqliteCapture.SourceState state;
  private final InstantSource clock;
  private final Set<String> altered = new HashSet<>();
  private final Set<String> removed = new HashSet<>();
  private final Map<String, SqliteTable> added = new LinkedHashMap<>();
  private final Map<String, SqliteTable> selected = new LinkedHashMap<>();

  SchemaReconciler(SqliteSourceConfig config, Connection conn, TransactionSink sink, SqliteCapture.SourceState state,
      InstantSource clock) {
    this.config = config;
    this.conn = conn;
    this.sink = sink;
    this.state = state;
    this.clock = clock;
  }

  long reconcile() throws IOException, SQLException, InterruptedException {
    try (WriteTransaction tx = WriteTransaction.begin(conn)) {
      CaptureGroup group = new CaptureGroup(sink, state.nextGtid(), config.chunkChanges());
      long sequence = state.schemaSequence;
      long last;
      try {
        state.takeUpAddedTables(conn);
        state.spans.reset();
        last = ChangeRow.forEachAfter(conn, state.lastId, " AND sv <= " + state.installedVersion,
            state.spans.around(row -> group.add(state.change(row))));
        sequence = schemaChanges(group, sequence);
        last = Math.max(last, ChangeRow.forEachAfter(conn, last,
            state.spans.around(row -> group.add(afterChange(row)))));
      } catch (SQLException | RuntimeException e) {
        group.abort();
        throw e;
      }
      if (!group.isEmpty() || last > state.lastId) {
        SqliteCapture.awaitDurable(group.commit(clock.instant(), sequence, SourcePosition.changeId(last)), group.gtid());
        state.journaled(group.gtid(), last);
      }
      reinstall();
      Bookkeeping.setState(conn, Bookkeeping.SCHEMA_SEQUENCE, sequence);
      long version = SqliteCatalog.schemaVersion(conn);
      Bookkeeping.setState(conn, Bookkeeping.SCHEMA_VERSION, version);
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM _ferry_changes WHERE id <= ?")) {
        ps.setLong(1, state.lastId);
        ps.executeUpdate();
      }
      tx.commit();
      log.info("{} schema change followed: altered {}, new {}, removed {}; schema sequence {}", config.side(),
          altered, added.keySet(), removed, sequence);
      state.installedVersion = version;
      state.schemaSequence = sequence;
      state.ddlJournaledNotInstalled = false;
      state.loadColumns(conn);
      return group.size();
    }
  }

  /** Adds the DDL for every difference between the recorded and the current tables. */
  private long schemaChanges(CaptureGroup group, long sequence) throws SQLException {
    boolean journal = !state.ddlJournaledNotInstalled;
    Map<String, List<String>> recorded = Bookkeeping.capturedTables(conn);
    for (var t : SqliteCatalog.tableSql(conn).entrySet()) {
      if (!config.tables().accepts(new TableId("main", t.getKey())) && !state.addedElsewhere.contains(t.getKey())) {
        continue;
      }
      Optional<String> refusal = SqliteCatalog.refusal(t.getKey(), t.getValue());
      if (refusal.isPresent()) {
        log.warn("{} not capturing new table main.{}: {}", config.side(), t.getKey(), refusal.get());
        continue;
      }
      selected.put(t.getKey(), SqliteCatalog.describe(conn, t.getKey(), t.getValue()));
    }
    for (var r : recorded.entrySet()) {
      SqliteTable now = selected.get(r.getKey());
      if (now == null) {
        removed.add(r.getKey());
        if (journal && !SqliteCatalog.tableSql(conn).containsKey(r.getKey())) {
          group.add(new Change.Ddl("DROP TABLE " + quote(r.getKey()), "main", ++sequence));
        }
      } else if (!now.columnNames().equals(r.getValue())) {
        altered.add(r.getKey());
        for (String ddl : SchemaChanges.alterations(conn, r.getKey(), r.getValue(), now.columnNames())) {
          if (journal) {
            group.add(new Change.Ddl(ddl, "main", ++sequence));
          }
        }
      }
    }
    for (SqliteTable t : selected.values()) {
      if (!recorded.containsKey(t.name())) {
        added.put(t.name(), t);
        if (journal) {
          group.add(new Change.Ddl(t.sql(), "main", ++sequence));
          snapshot(t, group);
        }
      }
    }
    return sequence;
  }

  /** A new table's existing rows, as inserts (its triggers are created in this same transaction). */
  private void snapshot(SqliteTable t, CaptureGroup group) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(TriggerSql.selectImages(t, ""));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        group.add(new Change.Insert(t.id(), t.columns(), RowCodec.decodeRow(rs.getString(1), "main." + t.name())));
      }
    }
  }

  /** A change row written after the schema change; rows of altered tables are brought up to date. */
  private Change afterChange(ChangeRow r) throws SQLException {
    SqliteTable now = selected.get(r.table());
    if (!altered.contains(r.table()) || now == null) {
      return state.change(r);
    }
    List<Column> before = state.columns.get(r.table());
    List<Value> old = Rows.realign(before, r.old(), now.columns());
    List<Value> row = r.op().equals("D") ? List.of()
        : current(now, r, before).orElse(Rows.realign(before, r.row(), now.columns()));
    if (r.op().equals("I") || now.primaryKey().isEmpty()) {
      // Without a key the whole old row must locate it: added columns' old values are unknown (NULL).
      return Rows.change(now.id(), now.columns(), r.op(), old, row, r.id());
    }
    // The triggers did not record the added columns' old values: send the old key alone, so the
    // replica finds the row by its key and sees no false conflict in the columns we do not know.
    List<Value> oldKey = Rows.keyOnly(now, old);
    return r.op().equals("D")
        ? new Change.Delete(now.id(), now.columns(), Change.OldImage.KEY, oldKey)
        : new Change.Update(now.id(), now.columns(), Change.OldImage.KEY, oldKey, row);
  }

  /** The row as it is now (it may have changed again, or been deleted, later in this group). */
  private Optional<List<Value>> current(SqliteTable t, ChangeRow r, List<Column> recordedColumns) throws SQLException {
    String where;
    List<Value> keys;
    if (r.rowid().isPresent()) {
      where = " WHERE rowid = ?";
      keys = List.of(new Value.Int64(r.rowid().get()));
    } else {
      where = String.join(" AND ", t.primaryKey().stream().map(k -> quote(k) + " IS ?").toList());
      where = " WHERE " + where;
      keys = t.primaryKey().stream().map(k -> r.row().get(Rows.indexOf(recordedColumns, k))).toList();
    }
    try (PreparedStatement ps = conn.prepareStatement(TriggerSql.selectImages(t, where))) {
      for (int i = 0; i < keys.size(); i++) {
        bind(ps, i + 1, keys.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(RowCodec.decodeRow(rs.getString(1), "main." + t.name())) : Optional.empty();
      }
    }
  }

  private static void bind(PreparedStatement ps, int index, Value v) throws SQLException {
    switch (v) {
      case Value.Int64 i -> ps.setLong(index, i.value());
      case Value.Float64 f -> ps.setDouble(index, f.value());
      case Value.Text t -> ps.setString(index, t.value());
      case Value.Bytes b -> ps.setBytes(index, b.value());
      case Value.Null n -> ps.setNull(index, java.sql.Types.NULL);
      case Value.Unchanged u -> throw new IllegalStateException("SQLite capture never records unchanged values");
    }
  }

  private void reinstall() throws SQLException {
    for (String t : removed) {
      SqliteSetup.uninstall(conn, t);
      state.addedElsewhere.remove(t);
    }
    for (String t : altered) {
      SqliteSetup.install(conn, selected.get(t));
    }
    for (SqliteTable t : added.values()) {
      SqliteSetup.install(conn, t);
    }
  }
}
