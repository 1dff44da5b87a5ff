package dev.ferry.capture.trigger;

import dev.ferry.capture.Capture;
import dev.ferry.capture.CaptureException;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.LogicalType;
import dev.ferry.journal.model.SideException;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures a SQLite source through its change table: each poll turns the change rows committed
 * since the last poll into one journal transaction, waits until the sink holds it durably, and
 * only then deletes those rows. After a crash, rows the journal already holds are recognised by
 * their id (the journal's last source position) and dropped, so each change is journaled exactly
 * once.
 *
 * <p>SQLite has one writer at a time, so what one read transaction sees of the change table is a
 * prefix of the committed transactions: a poll never splits a source transaction. SQLite gives
 * triggers no transaction id, so source transactions committed between two polls travel as one
 * journal transaction (never split, never partial; under load polls follow each other at once).
 *
 * <p>Not thread-safe: one thread calls {@link #poll()} or {@link #run}.
 */
public final class SqliteCapture implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteCapture.class);

  private final SqliteSourceConfig config;
  private final TransactionSink sink;
  private final Connection conn;
  private final InstantSource clock;
  private final SourceState state;
  private final ChangePruner pruner;
  private volatile java.time.Instant caughtUpAsOf;
  private boolean lastPollComplete;

  private SqliteCapture(SqliteSourceConfig config, TransactionSink sink, Connection conn, InstantSource clock,
      SourceState state, ChangePruner pruner) {
    this.config = config;
    this.sink = sink;
    this.conn = conn;
    this.clock = clock;
    this.state = state;
    this.pruner = pruner;
  }

  /** Connects, installs capture if needed (see {@link SqliteSetup}) and resumes after the sink's last transaction. */
  public static SqliteCapture open(SqliteSourceConfig config, TransactionSink sink) throws IOException, SQLException {
    return open(config, sink, InstantSource.system());
  }

  /**
   * Opens capture as {@link #open(SqliteSourceConfig, TransactionSink)} does and polls on a thread
   * of its own until the returned capture is closed.
   *
   * @throws IOException naming the source and its URL when the database cannot be opened
   */
  public static Capture start(SqliteSourceConfig config, TransactionSink sink) throws IOException {
    SqliteCapture capture;
    try {
      capture = open(config, sink);
    } catch (SQLException e) {
      throw new SideException(config.side(), "cannot open " + config.jdbcUrl() + ": " + e.getMessage(), e);
    }
    return new PollingCapture(capture, config.name()).start();
  }

  public static SqliteCapture open(SqliteSourceConfig config, TransactionSink sink, InstantSource clock)
      throws IOException, SQLException {
    Connection conn = DriverManager.getConnection(config.jdbcUrl());
    try {
      try (Statement st = conn.createStatement()) {
        st.execute("PRAGMA busy_timeout = 30000");
        st.execute("PRAGMA journal_mode = WAL");
      }
      Optional<ResumePoint> resume = sink.resumePoint();
      requireInstalledWhenContinuing(config, conn, resume);
      SqliteSetup.setup(conn, config);
      SourceState state = SourceState.resume(config, conn, resume);
      log.info("{} capture resumes after change {} (GTID {}, schema sequence {})", config.side(),
          state.lastId, state.lastGtid, state.schemaSequence);
      ChangePruner pruner = ChangePruner.start(config);
      pruner.journaledThrough(state.lastId);
      return new SqliteCapture(config, sink, conn, clock, state, pruner);
    } catch (IOException | SQLException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  /**
   * A sink that continues another source's journal must find Ferry's change table and triggers
   * already there: {@code ferry promote --capture} installed them before the database became
   * writable. Installing them now would silently miss every write made in between, so their absence
   * stops capture instead.
   */
  private static void requireInstalledWhenContinuing(SqliteSourceConfig config, Connection conn,
      Optional<ResumePoint> resume) throws SQLException, CaptureException {
    if (resume.isPresent() && resume.get().isContinuing() && !Bookkeeping.installed(conn)) {
      throw new CaptureException(config.name(), "the journal continues after " + resume.get().gtid() + " (captured "
          + "from its old primary), but " + config.jdbcUrl() + " has no Ferry change table (_ferry_changes): capture "
          + "was not installed before the database became writable ('ferry promote --capture'), so writes made since"
          + " would be missed. Capture this database into a new journal (another journal.dir) instead");
    }
  }

  /**
   * Journals what was committed since the last poll and waits until it is durable; returns the
   * number of changes journaled (0 when nothing was new).
   */
  public long poll() throws IOException, SQLException, InterruptedException {
    java.time.Instant snapshot = clock.instant();
    lastPollComplete = false;
    if (SqliteCatalog.schemaVersion(conn) != state.installedVersion) {
      return new SchemaReconciler(config, conn, sink, state, clock).reconcile();
    }
    CaptureGroup group = new CaptureGroup(sink, state.nextGtid(), config.chunkChanges());
    long lastId;
    long highestId;
    conn.setAutoCommit(false); // one read transaction: one consistent snapshot
    try {
      if (SqliteCatalog.schemaVersion(conn) != state.installedVersion) {
        conn.rollback();
        conn.setAutoCommit(true);
        return new SchemaReconciler(config, conn, sink, state, clock).reconcile();
      }
      state.spans.reset();
      lastId = ChangeRow.forEachAfter(conn, state.lastId, state.spans.around(row -> group.add(state.change(row))));
      highestId = SqliteSnapshot.highestChangeId(conn);
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      group.abort();
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(true);
    }
    // Rows read but none kept (Ferry's marks and what it applied) still end in a transaction, empty:
    // the journal's position then reaches the highest change id, which snapshots and restarts go by.
    if (!group.isEmpty() || lastId > state.lastId) {
      awaitDurable(group.commit(clock.instant(), state.schemaSequence, SourcePosition.changeId(lastId)), group.gtid());
      state.journaled(group.gtid(), lastId);
      pruner.journaledThrough(lastId);
    }
    if (highestId <= state.lastId) {
      lastPollComplete = true;
      caughtUpAsOf = snapshot;
    }
    return group.size();
  }

  /**
   * Polls until {@code stop} says so: at once again while there is work, backing off to
   * {@code idlePoll} while idle (checking {@code PRAGMA data_version}, which is cheap, before
   * reading the change table).
   */
  public void run(BooleanSupplier stop) throws IOException, SQLException, InterruptedException {
    long idleMillis = 1;
    long seenVersion = -1;
    while (!stop.getAsBoolean()) {
      java.time.Instant now = clock.instant();
      long version = dataVersion();
      if (version == seenVersion && lastPollComplete) {
        caughtUpAsOf = now; // nobody committed since a poll that left nothing behind
      }
      if (version != seenVersion || idleMillis >= config.idlePoll().toMillis()) {
        seenVersion = version;
        if (poll() > 0) {
          idleMillis = 1;
          continue;
        }
      }
      Thread.sleep(idleMillis);
      idleMillis = Math.min(idleMillis * 2, config.idlePoll().toMillis());
    }
  }

  private long dataVersion() throws SQLException {
    try (Statement st = conn.createStatement(); var rs = st.executeQuery("PRAGMA data_version")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void awaitDurable(java.util.concurrent.CompletableFuture<?> durable, Gtid gtid)
      throws IOException, InterruptedException {
    try {
      durable.get();
    } catch (ExecutionException e) {
      throw new IOException("journal did not take " + gtid + ": " + e.getCause(), e.getCause());
    }
  }

  /**
   * The latest moment as of which everything committed at the source was journaled durably (the
   * start of a poll that found nothing more, or of an idle check that saw no new commit); empty
   * until known. Safe to call from any thread.
   */
  public Optional<java.time.Instant> caughtUpAsOf() {
    return Optional.ofNullable(caughtUpAsOf);
  }

  /** The last GTID journaled from this source, if any. */
  public Optional<Gtid> lastGtid() {
    return Optional.ofNullable(state.lastGtid);
  }

  /** Stops; change rows journaled but not yet deleted are dropped at the next start. */
  @Override
  public void close() throws SQLException {
    try {
      pruner.close();
    } finally {
      conn.close();
    }
  }

  /**
   * Where capture stands: the last journaled change id and GTID, the schema sequence, and the
   * columns each table's triggers record. Shared with {@link SchemaReconciler}.
   */
  static final class SourceState {
    final SqliteSourceConfig config;
    long lastId;
    Gtid lastGtid;
    long schemaSequence;
    long installedVersion;
    boolean ddlJournaledNotInstalled;
    final Map<String, List<Column>> columns = new HashMap<>();
    /** Tables another process added to capture while this one ran: kept whatever this one's filter says. */
    final Set<String> addedElsewhere = new HashSet<>();
    /** Leaves out what Ferry applied, unless forwarded. */
    final AppliedSpans spans;

    private SourceState(SqliteSourceConfig config) {
      this.config = config;
      this.spans = new AppliedSpans(config.side(), config.forwardApplied());
    }

    static SourceState resume(SqliteSourceConfig config, Connection c, Optional<ResumePoint> resume)
        throws SQLException, CaptureException {
      SourceState s = new SourceState(config);
      long installedSequence = Bookkeeping.state(c, Bookkeeping.SCHEMA_SEQUENCE).orElse(0L);
      s.installedVersion = Bookkeeping.state(c, Bookkeeping.SCHEMA_VERSION).orElseThrow();
      s.schemaSequence = installedSequence;
      if (resume.isPresent() && resume.get().isContinuing()) {
        // A promoted database continues its old primary's journal: its change table holds only its own
        // writes (installed before it became writable), read from the start, numbered after the journal's.
        s.lastGtid = resume.get().gtid();
        s.schemaSequence = Math.max(resume.get().schemaSequence(), installedSequence);
        log.info("{} continuing the journal after {} (captured from its old primary): the first transaction of "
            + "this source gets the next sequence number", config.side(), resume.get().gtid());
      } else if (resume.isPresent()) {
        ResumePoint r = resume.get();
        if (r.position().kind() != SourcePosition.Kind.CHANGE_ID) {
          throw new CaptureException(config.name(), "the journal's last transaction " + r.gtid() + " came from "
              + r.position() + ", not from a SQLite change table: this journal belongs to another source");
        }
        s.lastId = r.position().value();
        s.lastGtid = r.gtid();
        s.schemaSequence = r.schemaSequence();
        // A crash after journaling schema changes but before re-installing the triggers.
        s.ddlJournaledNotInstalled = r.schemaSequence() > installedSequence;
      }
      s.loadColumns(c);
      return s;
    }

    void loadColumns(Connection c) throws SQLException {
      columns.clear();
      loadColumns(c, Bookkeeping.capturedTables(c));
    }

    /**
     * Takes up tables whose triggers someone else installed while this capture ran ({@code ferry
     * table add}, maybe run with a configuration that selects more than this process's): their
     * columns, and the promise to keep them captured although this capture's filter may not select
     * them. Called under the write lock of a schema change, before change rows are read.
     */
    void takeUpAddedTables(Connection c) throws SQLException {
      Map<String, List<String>> added = new HashMap<>(Bookkeeping.capturedTables(c));
      added.keySet().removeAll(columns.keySet());
      if (!added.isEmpty()) {
        log.info("{} capturing {} as well: 'ferry table add' installed their triggers", config.side(),
            added.keySet());
        addedElsewhere.addAll(added.keySet());
        loadColumns(c, added);
      }
    }

    private void loadColumns(Connection c, Map<String, List<String>> tables) throws SQLException {
      for (var t : tables.entrySet()) {
        Map<String, String> types = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, type FROM pragma_table_xinfo(?)")) {
          ps.setString(1, t.getKey());
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              types.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
            }
          }
        }
        columns.put(t.getKey(), t.getValue().stream().map(n -> column(n, types.getOrDefault(n, ""))).toList());
      }
    }

    Gtid nextGtid() {
      // The configured server id, also after another server's GTID (a promoted database's first transaction).
      return new Gtid(config.gtidDomain(), config.serverId(), lastGtid == null ? 1 : lastGtid.seq() + 1);
    }

    void journaled(Gtid gtid, long throughId) {
      lastGtid = gtid;
      lastId = throughId;
    }

    /** The change a row records, with the columns its table's triggers write. */
    Change change(ChangeRow r) {
      List<Column> cols = columns.get(r.table());
      if (cols == null) {
        throw new IllegalStateException(config.side() + " change " + r.id() + " is for table "
            + r.table() + ", which Ferry does not capture (its _ferry_tables row is missing)");
      }
      return Rows.change(new TableId("main", r.table()), cols, r.op(), r.old(), r.row(), r.id());
    }
  }

  /** A captured column: its declared type, and the logical type that type's affinity gives. */
  private static Column column(String name, String declared) {
    return new Column(name, declared, 0, LogicalType.ofSqliteDeclared(declared));
  }
}
