package dev.ferry.node.run;

import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteSourceConfig;

/** The source a node captures: PostgreSQL by logical decoding, or SQLite by triggers. */
public sealed interface SourceSpec {
  String name();

  record Postgres(PostgresSourceConfig config) implements SourceSpec {
    @Override
    public String name() {
      return config.name();
    }
  }

  record Sqlite(SqliteSourceConfig config) implements SourceSpec {
    @Override
    public String name() {
      return config.name();
    }
  }
}
