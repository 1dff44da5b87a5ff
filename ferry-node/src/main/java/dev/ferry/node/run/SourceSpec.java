package dev.ferry.node.run;

import dev.ferry.capture.Capture;
import dev.ferry.capture.SourceConfig;
import dev.ferry.capture.TransactionSink;
import dev.ferry.capture.binlog.BinlogSetup;
import dev.ferry.capture.binlog.MariaDbCapture;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.postgres.PostgresCapture;
import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.trigger.SqliteCapture;
import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.sync.InitialSync;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/** The source a node captures: PostgreSQL by logical decoding, SQLite by triggers, MariaDB from its binlog. */
public sealed interface SourceSpec {
  /** The capture module's configuration of this source. */
  SourceConfig config();

  default String name() {
    return config().name();
  }

  default String jdbcUrl() {
    return config().jdbcUrl();
  }

  /** The kind as status shows it: {@code postgresql}, {@code sqlite} or {@code mariadb}. */
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

  /**
   * What {@link #setUp} did.
   *
   * @param tables the tables captured
   * @param createdSlot whether it created what holds the source's log for Ferry (a PostgreSQL
   *     slot): a setup that fails later removes it again ({@link #tearDown})
   */
  record SetUp(List<TableId> tables, boolean createdSlot) {
    public SetUp {
      tables = List.copyOf(tables);
    }
  }

  /** Prepares the source for capture (ferry setup; idempotent). */
  SetUp setUp() throws IOException, SQLException;

  /** Removes what {@link #setUp} made on the source (ferry teardown). */
  void tearDown() throws IOException, SQLException;

  /** Seeds {@code replica} from a snapshot of the source, as a new replica of {@code journalDir}. */
  void seed(ReplicaSpec replica, Path journalDir) throws IOException, InterruptedException;

  record Postgres(PostgresSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "postgresql";
    }

    @Override
    public Capture startCapture(TransactionSink sink) throws IOException {
      return PostgresCapture.prepareAndStart(config, sink);
    }

    @Override
    public SetUp setUp() throws IOException {
      PostgresSetup.Result result = PostgresSetup.setup(config);
      return new SetUp(result.tables(), result.slotCreated());
    }

    @Override
    public void tearDown() throws IOException {
      PostgresSetup.teardown(config);
    }

    @Override
    public void seed(ReplicaSpec replica, Path journalDir) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, InitialSync.Options.DEFAULTS);
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

    @Override
    public SetUp setUp() throws IOException, SQLException {
      try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
        return new SetUp(SqliteSetup.setup(c, config), false);
      }
    }

    @Override
    public void tearDown() throws SQLException {
      try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
        SqliteSetup.teardown(c);
      }
    }

    @Override
    public void seed(ReplicaSpec replica, Path journalDir) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, InitialSync.Options.DEFAULTS);
    }
  }

  /** A MariaDB source captured from its row-based binlog, keeping MariaDB's GTIDs. */
  record MariaDb(MariaDbSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "mariadb";
    }

    @Override
    public Capture startCapture(TransactionSink sink) throws IOException {
      return MariaDbCapture.start(config, sink);
    }

    /** Only checks: Ferry makes nothing on a MariaDB source (it reads the binlog as a replica does). */
    @Override
    public SetUp setUp() throws IOException {
      return new SetUp(BinlogSetup.check(config), false);
    }

    /** Nothing to remove: setup made nothing on the source. */
    @Override
    public void tearDown() {
    }

    @Override
    public void seed(ReplicaSpec replica, Path journalDir) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, InitialSync.Options.DEFAULTS);
    }
  }
}
