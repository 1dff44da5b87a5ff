package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.Dialect;
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
   * @return what a read-only mode had put there and is now lifted, for the user
   *     ({@code read-only guards and default})
   * @throws SQLException when the target refuses (e.g. the role may not drop Ferry's tables)
   */
  public static String remove(Connection c) throws SQLException {
    Dialect dialect = Dialect.of(c);
    dialect.tearDown(c);
    return dialect.readOnlyMeasures();
  }
}
