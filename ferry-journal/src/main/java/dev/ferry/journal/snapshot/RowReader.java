package dev.ferry.journal.snapshot;

import dev.ferry.journal.model.Value;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads a table's rows from a snapshot as journal values (a source without COPY: SQLite). Used by
 * one thread.
 */
@FunctionalInterface
public interface RowReader {
  /**
   * Hands every row of {@code table} to {@code sink}, values aligned with its columns; returns the
   * row count.
   *
   * @throws SnapshotInterruptedException if the thread was interrupted (the node stopping)
   */
  long read(SourceTable table, RowSink sink) throws SQLException;

  /** Takes one row, values aligned with the table's columns. */
  @FunctionalInterface
  interface RowSink {
    void accept(List<Value> row) throws SQLException;
  }
}
