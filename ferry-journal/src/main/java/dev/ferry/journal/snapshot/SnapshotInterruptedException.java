package dev.ferry.journal.snapshot;

import java.sql.SQLException;

/**
 * Reading or copying a snapshot stopped because its thread was interrupted (the node stopping): no
 * database error, and nothing to retry; the next start copies again.
 */
public class SnapshotInterruptedException extends SQLException {
  public SnapshotInterruptedException(String message) {
    super(message);
  }
}
