package dev.ferry.apply.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Removes what Ferry made on a replica ({@code ferry teardown --replicas}): its progress,
 * conflicts and load tables, and on a read-only PostgreSQL replica the guard triggers and the
 * database's read-only default, put back as it was before Ferry. The replicated data stays.
 * Works on a replica Ferry made read-only: the session lifts the default for itself first.
 */
public final class TargetTeardown {
  private TargetTeardown() {
  }

  /**
   * Tears Ferry down on the target {@code c} points at (autocommit).
   *
   * @throws SQLException when the target refuses (e.g. the role may not drop Ferry's tables)
   */
  public static void remove(Connection c) throws SQLException {
    Dialect.of(c).tearDown(c);
  }
}
