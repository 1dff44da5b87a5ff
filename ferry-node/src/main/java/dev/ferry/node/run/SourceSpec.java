package dev.ferry.node.run;

import dev.ferry.apply.sync.CopyOptions;
import dev.ferry.capture.Capture;
import dev.ferry.capture.SourceConfig;
import dev.ferry.capture.TransactionSink;
import dev.ferry.capture.binlog.BinlogSetup;
import dev.ferry.capture.binlog.MariaDbCapture;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.capture.postgres.PostgresCapture;
import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.postgres.PostgresSourceConfig;
import dev.ferry.capture.postgres.UncommittedInJournal;
import dev.ferry.capture.trigger.SqliteCapture;
import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.capture.trigger.SqliteSourceConfig;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Tag;
import dev.ferry.node.sync.FullExport;
import dev.ferry.node.sync.InitialSync;
import dev.ferry.node.sync.SqliteTableCopy;
import dev.ferry.node.sync.TableCopy;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The source a node captures: PostgreSQL by logical decoding, SQLite by triggers, or MariaDB from
 * its binlog. Each kind
 * answers what the commands ask of a source — set up, tear down, capture, seed a replica, and the
 * features only some kinds have ({@link #tableCopies}, {@link #exports}, {@link #retainedLogBytes});
 * node code outside this type, the configuration that makes and describes it, initial sync (one
 * path per kind) and the demo never asks which kind it is ({@code ModuleArrowsTest} checks it).
 */
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

  /** The database product as the user knows it: {@code PostgreSQL}, {@code SQLite}. */
  String product();

  /** This source with {@code password} for its connections; a source that takes none is returned as it is. */
  default SourceSpec withPassword(String password) {
    return this;
  }

  /**
   * How many bytes of its log the source keeps for Ferry (for {@code ferry status}); empty when it
   * keeps none for Ferry or cannot be read now. Reads only.
   */
  default Optional<Long> retainedLogBytes() {
    return Optional.empty();
  }

  /** {@code ferry table add|resync} ({@code command}): copying tables from a snapshot while replication streams. */
  default SourceFeature<TableCopies> tableCopies(String command) {
    return SourceFeature.lacking("'" + command + "' copies tables from a snapshot, which a " + product()
        + " source (" + name() + ") does not offer yet");
  }

  /** {@code ferry export}: an export archive of the source's tables. */
  default SourceFeature<Exports> exports() {
    return SourceFeature.lacking("source " + name() + " is " + product() + ": it offers no export archive yet");
  }

  /** {@code ferry tag}: writes a named cut-off marker into the stream at its exact place; returns where. */
  default SourceFeature<Tagger> tags() {
    return SourceFeature.lacking("source " + name() + " is " + product() + ": 'ferry tag' needs a PostgreSQL source"
        + " (a transactional logical message places the tag exactly); stop a replica at a GTID instead"
        + " (replicas[].until: <gtid>)");
  }

  /**
   * {@code ferry promote --capture}: this source's capture settings (name, slot, publication,
   * tables, GTID) for another database of the same kind, the promoted replica's at {@code url}
   * (with {@code password}, if any), which is to continue this source's journal.
   */
  default SourceFeature<Continuation> continuedAt(String url, Optional<String> password) {
    return SourceFeature.lacking("'ferry promote --capture' prepares capture on the promoted database for a "
        + "PostgreSQL or SQLite source; source " + name() + " is " + product() + ", whose journal cannot be "
        + "continued yet: promote without --capture and capture the promoted database into a new journal");
  }

  /**
   * The source a promoted database becomes, and what holds its log for Ferry from before it is
   * writable.
   *
   * @param source the capture settings at the promoted database
   * @param slot what holds the log there from before it is writable: the replication slot setup
   *     makes ({@code source.slot}), or SQLite's change table ({@code _ferry_changes})
   * @param ddlNumbering numbers DDL captured there above the journal's schema sequences
   */
  record Continuation(SourceSpec source, String slot, DdlNumbering ddlNumbering) {
  }

  /** Moves what DDL captured at a promoted database is numbered from. */
  @FunctionalInterface
  interface DdlNumbering {
    /**
     * Numbers DDL captured from now on above {@code reached}, the highest schema sequence of the
     * journal the database continues (never moving back); returns the next DDL's schema sequence.
     */
    long above(long reached) throws IOException;
  }

  /**
   * {@code ferry rejoin}: what the source committed after the last transaction its journal holds,
   * still in the log it keeps for Ferry (a killed capture leaves it there).
   */
  default SourceFeature<Uncaptured> uncaptured() {
    return SourceFeature.lacking("source " + name() + " is " + product() + ": 'ferry rejoin' takes a PostgreSQL old"
        + " primary only (it counts what the old primary committed after its journal in the slot it keeps)");
  }

  /** Counts what a source committed that its journal does not hold yet. */
  interface Uncaptured {
    /** The log it reads, as the user configures it (e.g. {@code slot ferry (source.slot)}). */
    String log();

    /**
     * How many transactions committed after {@code last} the log holds; empty when the log is gone.
     *
     * @throws IOException when the source cannot be read
     */
    Optional<Long> after(SourcePosition last) throws IOException;
  }

  /** Writes a tag into the source's stream. */
  @FunctionalInterface
  interface Tagger {
    /** Commits {@code tag} on the source; returns the source position it got (a PostgreSQL LSN). */
    String emit(Tag tag) throws IOException;
  }

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

  /**
   * Seeds {@code replica} from a snapshot of the source, as a new replica of {@code journalDir}.
   *
   * @param running capture of this source into that journal when it runs in this process (it can
   *     tell when the journal holds everything up to the snapshot without waiting for a write)
   * @param options how the copy runs and who watches its progress
   */
  void seed(ReplicaSpec replica, Path journalDir, Optional<Capture> running, InitialSync.Options options)
      throws IOException, InterruptedException;

  record Postgres(PostgresSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "postgresql";
    }

    @Override
    public String product() {
      return "PostgreSQL";
    }

    /** The capture opens its connections from the URL alone; the password rides in it and is never printed. */
    @Override
    public Postgres withPassword(String password) {
      String url = config.jdbcUrl() + (config.jdbcUrl().contains("?") ? "&" : "?") + "password="
          + URLEncoder.encode(password, StandardCharsets.UTF_8);
      return new Postgres(config.withJdbcUrl(url));
    }

    /** {@code pg_current_wal_lsn() - restart_lsn} of Ferry's slot: the disk a stopped or lagging capture costs. */
    @Override
    public Optional<Long> retainedLogBytes() {
      String sql = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots"
          + " WHERE slot_name = ?";
      Properties props = new Properties();
      // Status must answer even when the source is down, or accepts connections and never answers.
      props.setProperty("connectTimeout", "5");
      props.setProperty("loginTimeout", "5");
      props.setProperty("socketTimeout", "10");
      try (Connection c = DriverManager.getConnection(config.jdbcUrl(), props);
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, config.slotName());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        return Optional.empty();
      }
    }

    @Override
    public SourceFeature<TableCopies> tableCopies(String command) {
      return SourceFeature.of(new TableCopies() {
        @Override
        public boolean captures(TableId table) throws IOException {
          return PostgresSetup.checkAddable(config, table);
        }

        @Override
        public String capturedBy() {
          return "publication " + config.publicationName();
        }

        @Override
        public void copy(List<TableId> tables, List<ReplicaSpec> replicas, Path journalDir, boolean add,
            CopyOptions options, Consumer<String> say) throws IOException {
          TableCopy.copy(config, tables, replicas, journalDir, add, options, say);
        }
      });
    }

    @Override
    public SourceFeature<Exports> exports() {
      return SourceFeature.of((journalDir, dir, options) -> FullExport.export(config, journalDir, dir, options));
    }

    @Override
    public SourceFeature<Uncaptured> uncaptured() {
      return SourceFeature.of(new Uncaptured() {
        @Override
        public String log() {
          return "slot " + config.slotName() + " (source.slot)";
        }

        @Override
        public Optional<Long> after(SourcePosition last) throws IOException {
          return UncommittedInJournal.count(config, last.value());
        }
      });
    }

    @Override
    public SourceFeature<Tagger> tags() {
      return SourceFeature.of(tag -> PostgresCapture.emitTag(config, tag));
    }

    @Override
    public SourceFeature<Continuation> continuedAt(String url, Optional<String> password) {
      if (!url.startsWith("jdbc:postgresql:")) {
        return SourceFeature.lacking("'ferry promote --capture' continues the journal on a PostgreSQL database; the "
            + "promoted replica's url is no PostgreSQL URL (jdbc:postgresql:…)");
      }
      Postgres there = new Postgres(config.withJdbcUrl(url));
      Postgres reached = password.map(there::withPassword).orElse(there);
      return SourceFeature.of(new Continuation(reached, config.slotName(),
          schema -> PostgresSetup.raiseSchemaSequence(reached.config(), schema)));
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
    public void seed(ReplicaSpec replica, Path journalDir, Optional<Capture> running,
        InitialSync.Options options) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, options);
    }
  }

  record Sqlite(SqliteSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "sqlite";
    }

    @Override
    public String product() {
      return "SQLite";
    }

    @Override
    public SourceFeature<TableCopies> tableCopies(String command) {
      return SourceFeature.of(new SqliteTableCopy(config));
    }

    @Override
    public SourceFeature<Exports> exports() {
      return SourceFeature.lacking("source " + name() + " is SQLite: an export archive needs a PostgreSQL source (a "
          + "SQLite source's tables reach replicas through the journal)");
    }

    /** The promoted SQLite file continues the journal: triggers and change table installed there before it is writable. */
    @Override
    public SourceFeature<Continuation> continuedAt(String url, Optional<String> password) {
      if (!url.startsWith("jdbc:sqlite:")) {
        return SourceFeature.lacking("'ferry promote --capture' continues the journal of a SQLite source on a SQLite "
            + "database; the promoted replica's url is no SQLite URL (jdbc:sqlite:…)");
      }
      SqliteSourceConfig there = new SqliteSourceConfig(config.name(), url, config.tables(), config.gtidDomain(),
          config.serverId(), config.chunkChanges(), config.idlePoll(), config.forwardApplied());
      return SourceFeature.of(new Continuation(new Sqlite(there), SqliteSetup.CHANGE_TABLE,
          schema -> SqliteSetup.raiseSchemaSequence(there, schema)));
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
    public void seed(ReplicaSpec replica, Path journalDir, Optional<Capture> running,
        InitialSync.Options options) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, options);
    }
  }

  /** A MariaDB source captured from its row-based binlog, keeping MariaDB's GTIDs. */
  record MariaDb(MariaDbSourceConfig config) implements SourceSpec {
    @Override
    public String kind() {
      return "mariadb";
    }

    @Override
    public String product() {
      return "MariaDB";
    }

    /** The capture opens its connections from the URL alone; the password rides in it and is never printed. */
    @Override
    public SourceSpec withPassword(String password) {
      String url = config.jdbcUrl() + (config.jdbcUrl().contains("?") ? "&" : "?") + "password="
          + URLEncoder.encode(password, StandardCharsets.UTF_8);
      return new MariaDb(config.withJdbcUrl(url));
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
    public void seed(ReplicaSpec replica, Path journalDir, Optional<Capture> running,
        InitialSync.Options options) throws IOException, InterruptedException {
      InitialSync.seed(config, replica, journalDir, options, running);
    }
  }
}
