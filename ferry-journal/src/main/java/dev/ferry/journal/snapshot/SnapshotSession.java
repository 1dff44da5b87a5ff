package dev.ferry.journal.snapshot;

import dev.ferry.journal.model.TableId;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.util.List;

/**
 * One session reading a {@link SnapshotReader}'s snapshot: describes tables and streams their rows
 * as PostgreSQL COPY data. Used by one thread, except {@link #cancel()}, which another thread
 * calls to stop what the session is running (the node stopping).
 */
public interface SnapshotSession extends AutoCloseable {
  /**
   * The table as the snapshot's catalog describes it.
   *
   * @throws NoSuchTableException if the source has no such table
   */
  SourceTable describe(TableId table) throws SQLException;

  /**
   * Splits {@code table} into slices of about {@code rowsPerSlice} rows each that sessions may copy
   * in parallel (at most 64, at most one per page); one slice for a small table.
   */
  List<TableSlice> slices(SourceTable table, long rowsPerSlice);

  /**
   * Starts streaming the rows of {@code slice} in COPY format, text or binary; the caller reads it
   * to its end or cancels it.
   */
  CopyRows copyOut(SourceTable table, TableSlice slice, boolean binary) throws SQLException;

  /**
   * Writes every row of {@code table} in COPY text format to {@code out}; returns the row count.
   */
  long copyOut(SourceTable table, OutputStream out) throws SQLException, IOException;

  /** Cancels the statement the session is running, from another thread; never throws. */
  void cancel();

  /** Ends the session's read transaction (the session stays open). */
  void commit() throws SQLException;

  @Override
  void close() throws SQLException;
}
