package dev.ferry.capture.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.network.ServerException;
import dev.ferry.capture.Capture;
import dev.ferry.capture.CaptureException;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures a MariaDB source from its row-based binlog, on a thread of its own: Ferry connects as a
 * replica ({@code server_id} {@link MariaDbSourceConfig#replicaServerId}) from a GTID position and
 * turns each binlog transaction into a journal transaction with MariaDB's GTID
 * ({@link TransactionAssembler}, {@link BinlogEvents}).
 *
 * <p>The resume point is the journal itself: at start capture reads the last transaction the
 * journal holds durably (only fsynced records survive its recovery) and connects with that
 * transaction's MariaDB GTID, so nothing the journal holds is read twice and nothing after it is
 * skipped; a transaction re-sent anyway is dropped by its GTID. A journal that is empty starts at
 * the server's {@code @@gtid_binlog_pos}. A position the server purged from its binlog stops
 * capture with an error naming the GTID. A lost connection is retried with backoff from the last
 * GTID handed to the journal. Thread-safe.
 */
public final class MariaDbCapture implements Capture {
  /** The tables binlog capture never captures, rows nor DDL: a MariaDB replica's control tables. */
  public static java.util.Set<String> controlTables() {
    return BinlogCatalog.CONTROL_TABLES;
  }

  private static final Logger log = LoggerFactory.getLogger(MariaDbCapture.class);
  /** MariaDB's error when the requested GTID position is not in its binlog (ER_MASTER_FATAL_ERROR_READING_BINLOG). */
  private static final int BINLOG_READ_FATAL = 1236;

  private final MariaDbSourceConfig config;
  private final MariaDbUrl url;
  private final TransactionSink sink;
  private final Thread thread;
  private final Map<Long, Gtid> durable = new ConcurrentHashMap<>();
  private final BinlogEvents events;
  private volatile BinaryLogClient client;
  private volatile boolean stopping;
  private volatile boolean streaming;
  private volatile Exception failure;
  private volatile String durablePosition;

  private MariaDbCapture(MariaDbSourceConfig config, MariaDbUrl url, TransactionSink sink, Start start) {
    this.config = config;
    this.url = url;
    this.sink = sink;
    this.durable.putAll(start.position());
    this.durablePosition = GtidPositions.format(start.position());
    this.events = new BinlogEvents(config, url, sink, start, this::durable, this::fail);
    this.thread = Thread.ofPlatform().name("ferry-capture-" + config.name()).unstarted(this::run);
  }

  /** Where capture starts: the GTID position to connect with and the schema sequence so far. */
  record Start(Map<Long, Gtid> position, long schemaSequence) {
  }

  /**
   * Checks the source ({@link BinlogSetup}), finds where the journal ends and starts capturing on a
   * thread of its own.
   *
   * @throws CaptureException naming the setting, grant, column or GTID to fix
   */
  public static MariaDbCapture start(MariaDbSourceConfig config, TransactionSink sink) throws IOException {
    MariaDbUrl url = MariaDbUrl.parse(config.name(), config.jdbcUrl());
    BinlogSetup.check(config);
    Start start;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
      start = start(config, sink.resumePoint(), GtidPositions.binlogPosition(c),
          (file, offset) -> GtidPositions.at(c, file, offset));
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot read the GTID position of " + url + ": " + e.getMessage(), e);
    }
    log.info("{} binlog capture of {} starts after GTID position '{}' (schema sequence {})", config.side(),
        url, GtidPositions.format(start.position()), start.schemaSequence());
    MariaDbCapture capture = new MariaDbCapture(config, url, sink, start);
    capture.thread.start();
    return capture;
  }

  /** The server's GTID position at a binlog file and offset (empty when it no longer holds the file). */
  interface GtidsAt {
    Map<Long, Gtid> at(String file, long offset) throws SQLException;
  }

  /**
   * Where capture starts: after the journal's last transaction, in every GTID domain of the
   * server's binlog as it stood right after that transaction ({@code BINLOG_GTID_POS} at the
   * transaction's binlog file and end offset), so a source writing several domains resumes in each
   * exactly where the journal ends; an empty journal starts at the server's position.
   */
  static Start start(MariaDbSourceConfig config, Optional<ResumePoint> resume, Map<Long, Gtid> server, GtidsAt gtidsAt)
      throws CaptureException, SQLException {
    if (resume.isEmpty()) {
      return new Start(server, 0);
    }
    SourcePosition at = resume.get().position();
    if (at.kind() != SourcePosition.Kind.BINLOG || at.sourceGtid().isEmpty()) {
      throw new CaptureException(config.name(), "the journal's last transaction " + resume.get().gtid()
          + " came from " + at + ", not from a MariaDB binlog: this journal belongs to another source");
    }
    Gtid last = at.sourceGtid().get();
    Map<Long, Gtid> position = at.file().isEmpty() ? Map.of() : gtidsAt.at(at.file(), at.value());
    if (last.equals(position.get(last.domain()))) {
      return new Start(position, resume.get().schemaSequence());
    }
    // The binlog file is gone (purged): connecting at the last GTID lets the server name the purged position.
    for (long domain : server.keySet()) {
      if (domain != last.domain()) {
        throw new CaptureException(config.name(), "the journal ends at " + last + " in binlog " + at.file()
            + ", which the server no longer holds, and its binlog holds GTID domains " + server.keySet()
            + ": capture cannot find where each domain resumes; re-initialise (a new journal and a new seed of each"
            + " replica; see docs/mariadb-capture.md)");
      }
    }
    return new Start(Map.of(last.domain(), last), resume.get().schemaSequence());
  }

  private void run() {
    long backoff = config.reconnectMin().toMillis();
    while (!stopping && failure == null) {
      try {
        events.connectAndStream(this::connected);
        backoff = config.reconnectMin().toMillis();
      } catch (ServerException e) {
        if (e.getErrorCode() == BINLOG_READ_FATAL) {
          fail(purged(e));
          break;
        }
        log.warn("{} binlog connection to {} failed: {}; retrying", config.side(), url, e.getMessage());
      } catch (IOException | SQLException | RuntimeException e) {
        if (e instanceof CaptureException) {
          fail(e);
          break;
        }
        log.warn("{} binlog connection to {} lost: {}; retrying", config.side(), url, e.toString());
      } finally {
        client = null;
        streaming = false;
      }
      if (!sleep(backoff)) {
        break;
      }
      backoff = Math.min(backoff * 2 + 1, config.reconnectMax().toMillis());
    }
  }

  private CaptureException purged(ServerException e) {
    return new CaptureException(config.name(), "position " + GtidPositions.format(events.position())
        + " is no longer on the server " + url + " (its binlog was purged, or the server's GTID history does not"
        + " hold it): " + e.getMessage().replaceAll("\\.+$", "") + ". Capture cannot go on from there without losing transactions:"
        + " re-initialise (a new journal and a new seed of each replica; see docs/mariadb-capture.md)");
  }

  private void connected(BinaryLogClient c) {
    client = c;
    streaming = true;
    if (stopping) {
      disconnect();
    }
  }

  private boolean sleep(long millis) {
    long deadline = System.currentTimeMillis() + millis;
    while (!stopping && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(Math.min(20, millis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !stopping;
  }

  private void durable(Gtid gtid) {
    durable.merge(gtid.domain(), gtid, (a, b) -> a.seq() >= b.seq() ? a : b);
    durablePosition = GtidPositions.format(new java.util.TreeMap<>(durable));
  }

  private void fail(Exception e) {
    if (failure == null) {
      failure = e;
      log.error("{} capture stopped: {}", config.side(), e.getMessage(), e);
    }
    Thread.ofVirtual().start(this::disconnect);
  }

  private void disconnect() {
    BinaryLogClient c = client;
    if (c != null) {
      try {
        c.disconnect();
      } catch (IOException e) {
        log.debug("{} disconnect: {}", config.side(), e.toString());
      }
    }
  }

  @Override
  public boolean awaitStreaming(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!streaming && failure == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return streaming;
  }

  @Override
  public State state() {
    if (failure != null) {
      return State.FAILED;
    }
    return streaming ? State.STREAMING : State.STARTING;
  }

  @Override
  public Optional<Exception> failure() {
    return Optional.ofNullable(failure);
  }

  /** The GTID position the journal holds durably, as MariaDB writes one ({@code 0-1-42}). */
  @Override
  public Optional<String> confirmedPosition() {
    String p = durablePosition;
    return p.isEmpty() ? Optional.empty() : Optional.of(p);
  }

  /** True once the journal holds, durably, every GTID the server's binlog held at this call. */
  @Override
  public BooleanSupplier markSourceNow(Supplier<Optional<SourcePosition>> durableHead) throws IOException {
    Map<Long, Gtid> mark;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl())) {
      mark = new HashMap<>(GtidPositions.binlogPosition(c));
    } catch (SQLException e) {
      throw new IOException(config.side() + " cannot read @@gtid_binlog_pos of " + url + ": "
          + e.getMessage(), e);
    }
    return () -> mark.values().stream().allMatch(g -> {
      Gtid d = durable.get(g.domain());
      return d != null && d.seq() >= g.seq();
    });
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    disconnect();
    thread.join();
  }

  static EventDeserializer deserializer() {
    EventDeserializer d = RowDeserializers.create();
    d.setCompatibilityMode(EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
        EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY,
        EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
    return d;
  }
}
