package dev.ferry.node.run;

import dev.ferry.capture.Capture;
import dev.ferry.capture.SourceConfig;
import dev.ferry.capture.TransactionSink;
import dev.ferry.capture.postgres.PostgresCapture;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteCapture;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import java.io.IOException;

/** The source a node captures: PostgreSQL by logical decoding, or SQLite by triggers. */
public sealed interface SourceSpec {
  /** The capture module's configuration of this source. */
  SourceConfig config();

  default String name() {
    return config().name();
  }

  default String jdbcUrl() {
    return config().jdbcUrl();
  }

  /** The kind as status shows it: {@code postgresql} or {@code sqlite}. */
  String kind();

  /** The GTID domain of this source's transactions. */
  default long gtidDomain() {
    return config().gtidDomain();
  }

  /** The GTID server id stamped on this source's transactions. */
  default long serverId() {
    return config().serverId();
  }

  /**
   * Sets the source up if needed (idempotent) and starts capturing into {@code sink} on a thread
   * of the capture's own.
   */
  Capture startCapture(TransactionSink sink) throws IOException;

  record Postgres(PostgresSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "postgresql";
    }

    @Override
    public Capture startCapture(TransactionSink sink) throws IOException {
      return PostgresCapture.prepareAndStart(config, sink);
    }
  }

  record Sqlite(SqliteSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "sqlite";
    }

    @Override
    public Capture startCapture(TransactionSink sink) throws IOException {
      return SqliteCapture.start(config, sink);
    }
  }
}
