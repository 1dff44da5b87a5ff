package dev.ferry.node.sync;

import dev.ferry.apply.dialect.DatabaseIdentity;
import dev.ferry.apply.sync.InitialCopy;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.journal.snapshot.SnapshotReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Hands capture's snapshot reader to apply's copy: the reader, and the source database's identity
 * (so a copy refuses a replica URL that reaches the source itself). Stateless.
 */
final class CopySources {
  private CopySources() {
  }

  /** {@code reader} as the source of a copy, with the identity of the database {@code source} names. */
  static InitialCopy.Source of(PostgresSourceConfig source, SnapshotReader reader) throws SQLException {
    try (Connection c = DriverManager.getConnection(source.jdbcUrl())) {
      return new InitialCopy.Source(reader, DatabaseIdentity.of(c));
    }
  }
}
