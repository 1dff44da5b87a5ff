package dev.ferry.journal.snapshot;

import java.sql.SQLException;

/**
 * A table's rows streamed from the source in PostgreSQL COPY format, one data message at a time
 * (in text format one message is one row; in binary format the header comes with the first row and
 * the trailer as a message of its own). Read by one thread.
 */
public interface CopyRows {
  /**
   * The next data message, or {@code null} at the end.
   *
   * @throws SnapshotInterruptedException if the thread was interrupted (the node stopping)
   */
  byte[] next() throws SQLException;

  /** Abandons the stream after a failure; never throws. */
  void cancel();
}
