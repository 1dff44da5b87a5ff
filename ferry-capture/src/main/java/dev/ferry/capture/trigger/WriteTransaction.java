package dev.ferry.capture.trigger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A SQLite write transaction started with {@code BEGIN IMMEDIATE}: it takes the write lock at once
 * (waiting up to the busy timeout), so no other writer commits between what it reads and what it
 * writes. Rolled back on close unless committed. The connection must be in auto-commit mode.
 */
final class WriteTransaction implements AutoCloseable {
  private final Connection c;
  private boolean open = true;

  private WriteTransaction(Connection c) {
    this.c = c;
  }

  static WriteTransaction begin(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
    }
    return new WriteTransaction(c);
  }

  void commit() throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("COMMIT");
    }
    open = false;
  }

  @Override
  public void close() throws SQLException {
    if (open) {
      open = false;
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK");
      }
    }
  }
}
