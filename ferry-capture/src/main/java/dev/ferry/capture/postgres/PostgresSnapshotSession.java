package dev.ferry.capture.postgres;

import dev.ferry.journal.model.TableId;
import dev.ferry.journal.snapshot.CopyRows;
import dev.ferry.journal.snapshot.SnapshotInterruptedException;
import dev.ferry.journal.snapshot.SnapshotSession;
import dev.ferry.journal.snapshot.SourceTable;
import dev.ferry.journal.snapshot.TableSlice;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of a {@link PostgresSnapshotReader}: a connection in a read-only REPEATABLE READ
 * transaction on the snapshot. Tables are described by {@link Catalog#describe}, rows read with
 * {@code COPY (SELECT …) TO STDOUT}, large tables sliced by ranges of physical pages
 * ({@code ctid}). One thread, except {@link #cancel()}.
 */
final class PostgresSnapshotSession implements SnapshotSession {
  private static final Logger log = LoggerFactory.getLogger(PostgresSnapshotSession.class);
  private static final int MAX_SLICES = 64;

  private final Connection c;

  PostgresSnapshotSession(Connection c) {
    this.c = c;
  }

  @Override
  public SourceTable describe(TableId table) throws SQLException {
    return Catalog.describe(c, table);
  }

  @Override
  public List<TableSlice> slices(SourceTable t, long rowsPerSlice) {
    long parts = Math.min(MAX_SLICES, Math.max(1, (t.estimatedRows() + rowsPerSlice - 1) / rowsPerSlice));
    parts = Math.min(parts, Math.max(1, t.pages()));
    if (parts == 1) {
      return List.of(TableSlice.whole(t));
    }
    List<TableSlice> slices = new ArrayList<>();
    long step = (t.pages() + parts - 1) / parts;
    for (long i = 0; i < parts; i++) {
      String from = i == 0 ? null : "ctid >= '(" + i * step + ",0)'::tid";
      String to = i == parts - 1 ? null : "ctid < '(" + (i + 1) * step + ",0)'::tid";
      String where = " WHERE " + (from == null ? to : to == null ? from : from + " AND " + to);
      slices.add(new TableSlice(where, t.estimatedRows() / parts));
    }
    return slices;
  }

  @Override
  public CopyRows copyOut(SourceTable table, TableSlice slice, boolean binary) throws SQLException {
    CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(selectSql(table, slice.condition(), binary));
    return new CopyRows() {
      @Override
      public byte[] next() throws SQLException {
        if (Thread.currentThread().isInterrupted()) {
          throw new SnapshotInterruptedException("copy of " + table.id() + " interrupted: the node is stopping");
        }
        return out.readFromCopy();
      }

      @Override
      public void cancel() {
        try {
          if (out.isActive()) {
            out.cancelCopy();
          }
        } catch (SQLException ignored) {
          // The stream already failed; the original error is what matters.
        }
      }
    };
  }

  @Override
  public long copyOut(SourceTable table, OutputStream out) throws SQLException, IOException {
    return c.unwrap(PGConnection.class).getCopyAPI().copyOut(selectSql(table, "", false), out);
  }

  static String selectSql(SourceTable table, String where, boolean binary) {
    StringBuilder sql = new StringBuilder("COPY (SELECT ");
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(Connections.quote(table.columns().get(i).name()));
    }
    sql.append(" FROM ").append(Connections.quote(table.id().schema())).append('.')
        .append(Connections.quote(table.id().name())).append(where).append(") TO STDOUT");
    return sql.append(binary ? " (FORMAT binary)" : "").toString();
  }

  @Override
  public void cancel() {
    try {
      c.unwrap(PGConnection.class).cancelQuery();
    } catch (SQLException e) {
      log.debug("cancel of a snapshot session failed: {}", e.getMessage());
    }
  }

  @Override
  public void commit() throws SQLException {
    c.commit();
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
