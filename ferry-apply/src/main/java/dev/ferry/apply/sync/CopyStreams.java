package dev.ferry.apply.sync;

import dev.ferry.apply.dialect.BulkLoader;
import dev.ferry.apply.jdbc.SeedTarget;
import dev.ferry.journal.snapshot.CopyRows;
import dev.ferry.journal.snapshot.SourceTable;
import java.sql.PreparedStatement;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Writes one COPY stream read from a source snapshot ({@link CopyRows}) into a target: piped into
 * the target's bulk path (PostgreSQL's {@code COPY … FROM STDIN}, bounded memory: one data message
 * at a time) or, where it has none, row by row with the applier's value mapping.
 */
final class CopyStreams {
  private static final int REPORT_EVERY = 4096;
  private static final int BATCH = 1000;

  private CopyStreams() {
  }

  /** Pipes the rows {@code out} streams into the target's {@code table}; returns the row count. */
  static long pipe(CopyRows out, SeedTarget target, BulkLoader loader, SourceTable table, boolean binary,
      LongConsumer progress) throws SQLException {
    List<String> columns = table.columns().stream().map(c -> target.quote(c.name())).toList();
    BulkLoader.Stream in = null;
    long rows = 0;
    try {
      in = loader.open(target.connection(), target.tableName(table.id()), columns, binary);
      byte[] data;
      while ((data = out.next()) != null) {
        in.write(data, 0, data.length);
        if (++rows % REPORT_EVERY == 0) {
          progress.accept(REPORT_EVERY);
        }
      }
      in.end();
      progress.accept(rows % REPORT_EVERY);
      // Binary COPY sends its header with the first row and its trailer as a message of its own.
      return binary ? Math.max(0, rows - 1) : rows;
    } catch (SQLException | RuntimeException e) {
      cancel(in, out);
      throw e;
    }
  }

  /** Loads the rows {@code out} streams (COPY text) into a SQLite target with the applier's value mapping. */
  static long load(CopyRows out, SeedTarget target, SourceTable table, LongConsumer progress) throws SQLException {
    List<dev.ferry.journal.model.Column> columns = table.columns().stream().map(SourceTable.SourceColumn::asColumn)
        .toList();
    long rows = 0;
    try (PreparedStatement ps = target.connection().prepareStatement(insertSql(target, table))) {
      byte[] data;
      while ((data = out.next()) != null) {
        List<String> fields = CopyText.parse(data, data.length);
        if (fields.size() != columns.size()) {
          throw new SQLDataException("row " + (rows + 1) + " of " + table.id() + " has " + fields.size()
              + " fields, expected " + columns.size());
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
      out.cancel();
      throw e;
    }
  }

  /** {@code INSERT INTO t (columns…) VALUES (?, …)} for the target. */
  static String insertSql(SeedTarget target, SourceTable table) {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.tableName(table.id())).append(" (");
    appendColumns(sql, table, target::quote);
    return sql.append(") VALUES (").append("?, ".repeat(table.columns().size() - 1)).append("?)").toString();
  }

  private static void appendColumns(StringBuilder sql, SourceTable table,
      java.util.function.Function<String, String> quote) {
    for (int i = 0; i < table.columns().size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(quote.apply(table.columns().get(i).name()));
    }
  }

  private static void cancel(BulkLoader.Stream in, CopyRows out) {
    if (in != null) {
      in.cancel();
    }
    out.cancel();
  }
}
