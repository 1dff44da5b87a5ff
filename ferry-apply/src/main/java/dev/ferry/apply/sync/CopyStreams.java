package dev.ferry.apply.sync;

import dev.ferry.apply.jdbc.SeedTarget;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

/** One COPY stream from a source session into a target: piped (PostgreSQL) or row by row (SQLite). */
final class CopyStreams {
  private static final int REPORT_EVERY = 4096;
  private static final int BATCH = 1000;

  private CopyStreams() {
  }

  static String selectSql(SourceTable table, String where, boolean binary) {
    StringBuilder sql = new StringBuilder("COPY (SELECT ");
    appendColumns(sql, table, SourceCatalog::quote);
    sql.append(" FROM ").append(SourceCatalog.quote(table.id().schema())).append('.')
        .append(SourceCatalog.quote(table.id().name())).append(where).append(") TO STDOUT");
    return sql.append(binary ? " (FORMAT binary)" : "").toString();
  }

  /** Pipes the rows of {@code table} matching {@code where} into the target; returns the row count. */
  static long pipe(Connection src, SeedTarget target, SourceTable table, String where, boolean binary,
      LongConsumer progress) throws SQLException {
    StringBuilder into = new StringBuilder("COPY ").append(target.tableName(table.id())).append(" (");
    appendColumns(into, table, target::quote);
    into.append(") FROM STDIN").append(binary ? " (FORMAT binary)" : "");
    CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut(selectSql(table, where, binary));
    CopyIn in = null;
    long rows = 0;
    try {
      in = target.connection().unwrap(PGConnection.class).getCopyAPI().copyIn(into.toString());
      byte[] data;
      while ((data = out.readFromCopy()) != null) {
        checkInterrupted(table);
        in.writeToCopy(data, 0, data.length);
        if (++rows % REPORT_EVERY == 0) {
          progress.accept(REPORT_EVERY);
        }
      }
      in.endCopy();
      progress.accept(rows % REPORT_EVERY);
      // Binary COPY sends its header with the first row and its trailer as a message of its own.
      return binary ? Math.max(0, rows - 1) : rows;
    } catch (SQLException | RuntimeException e) {
      cancel(in, out);
      throw e;
    }
  }

  /** Loads the rows of {@code table} into a SQLite target with the applier's value mapping. */
  static long load(Connection src, SeedTarget target, SourceTable table, LongConsumer progress)
      throws SQLException {
    List<dev.ferry.journal.model.Column> columns = table.columns().stream().map(SourceTable.SourceColumn::asColumn)
        .toList();
    CopyOut out = src.unwrap(PGConnection.class).getCopyAPI().copyOut(selectSql(table, "", false));
    long rows = 0;
    try (PreparedStatement ps = target.connection().prepareStatement(insertSql(target, table))) {
      byte[] data;
      while ((data = out.readFromCopy()) != null) {
        checkInterrupted(table);
        List<String> fields = CopyText.parse(data, data.length);
        if (fields.size() != columns.size()) {
          throw new SQLException("row " + (rows + 1) + " of " + table.id() + " has " + fields.size()
              + " fields, expected " + columns.size(), "22P04");
        }
        for (int i = 0; i < fields.size(); i++) {
          target.bindText(ps, i + 1, fields.get(i), columns.get(i));
        }
        ps.addBatch();
        if (++rows % BATCH == 0) {
          ps.executeBatch();
          progress.accept(BATCH);
        }
      }
      ps.executeBatch();
      progress.accept(rows % BATCH);
      return rows;
    } catch (SQLException | RuntimeException e) {
      cancel(null, out);
      throw e;
    }
  }

  /** {@code INSERT INTO t (columns…) VALUES (?, …)} for the target. */
  static String insertSql(SeedTarget target, SourceTable table) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.tableName(table.id())).append(" (");
    appendColumns(sql, table, target::quote);
    return sql.append(") VALUES (").append("?, ".repeat(table.columns().size() - 1)).append("?)").toString();
  }

  /** A stop requested (the node is shutting down): end the copy here; its transaction rolls back. */
  private static void checkInterrupted(SourceTable table) throws SQLException {
    if (Thread.currentThread().isInterrupted()) {
      throw new SQLException("copy of " + table.id() + " interrupted: the node is stopping", "57014");
    }
  }

  private static void appendColumns(StringBuilder sql, SourceTable table,
      java.util.function.Function<String, String> quote) {
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(quote.apply(table.columns().get(i).name()));
    }
  }

  private static void cancel(CopyIn in, CopyOut out) {
    try {
      if (in != null && in.isActive()) {
        in.cancelCopy();
      }
    } catch (SQLException ignored) {
      // The stream already failed; the original error is what matters.
    }
    try {
      if (out != null && out.isActive()) {
        out.cancelCopy();
      }
    } catch (SQLException ignored) {
      // As above.
    }
  }
}
