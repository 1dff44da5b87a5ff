package dev.ferry.journal.snapshot;

import java.sql.SQLException;

/**
 * One consistent snapshot of a source that sessions read in parallel: every session sees the
 * source at the same instant. Thread-safe: {@link #session()} may be called from several threads.
 * {@link #close()} ends the snapshot; sessions must be closed before.
 */
public interface SnapshotReader extends AutoCloseable {
  /** The snapshot's name, for log lines. */
  String snapshotName();

  /** A new session reading the snapshot; the caller closes it. */
  SnapshotSession session() throws SQLException;

  @Override
  void close() throws SQLException;
}
