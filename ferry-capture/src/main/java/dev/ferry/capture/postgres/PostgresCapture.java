package dev.ferry.capture.postgres;

import dev.ferry.capture.Capture;
import dev.ferry.capture.CaptureException;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.SideException;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.sql.PostgresErrors;
import dev.ferry.sql.SqlErrorKind;
import dev.ferry.journal.model.Tag;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one PostgreSQL source into a {@link TransactionSink}: committed transactions of the
 * selected tables, in commit order, with DDL and sequence values, through the slot and
 * publication {@link PostgresSetup} made.
 *
 * <p>Runs on its own thread from {@link #start} to {@link #close}. A lost connection is retried
 * with exponential backoff and capture resumes from the slot, dropping transactions the sink
 * already has. Anything an operator must fix (slot or publication missing, slot busy elsewhere, a
 * failed sink) stops capture; {@link #failure()} then holds the {@link CaptureException} that says
 * what to do. Public methods are thread-safe.
 */
public final class PostgresCapture implements Capture {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCapture.class);
  /** How long a busy slot is waited for: after a reconnect our own old walsender may hold it briefly. */
  private static final Duration SLOT_BUSY_PATIENCE = Duration.ofSeconds(5);
  /** How often a held slot is looked at again: it is free again within milliseconds of its walsender's end. */
  private static final Duration SLOT_POLL = Duration.ofMillis(50);
  /** PostgreSQL keeps this many bytes of an application_name (NAMEDATALEN - 1). */
  private static final int APPLICATION_NAME_BYTES = 63;

  private final PostgresSourceConfig config;
  private final TransactionSink sink;
  private final String prefix;
  /** The replication connection's application_name; names the sink's owner when it has one. */
  private final String applicationName;
  private final Thread thread;
  private final StreamSession.Confirmed confirmed = new StreamSession.Confirmed();
  /** The replication connection's session, once there is one (for tests). */
  private volatile StreamSession session;
  private final ArrayDeque<TransactionBuilder.Pending> pending = new ArrayDeque<>();
  private final CountDownLatch firstStart = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile CaptureException failure;
  /** Wait before the next reconnect; confined to the capture thread. */
  private Duration backoff;

  private PostgresCapture(PostgresSourceConfig config, TransactionSink sink) {
    this.config = config;
    this.sink = sink;
    this.prefix = config.side() + " ";
    this.applicationName = applicationName(config, sink);
    this.thread = new Thread(this::run, "ferry-capture-" + config.name());
    this.backoff = config.reconnectMin();
  }

  /**
   * Checks the source is ready (creating what setup would when missing, see
   * {@link PostgresSetup#prepareForCapture}) and starts capturing on a new thread.
   */
  public static PostgresCapture prepareAndStart(PostgresSourceConfig config, TransactionSink sink)
      throws CaptureException {
    requireSlotWhenContinuing(config, sink);
    PostgresSetup.prepareForCapture(config);
    return start(config, sink);
  }

  /**
   * A sink that continues another source's journal must find the slot already there: it was made
   * before the database became writable ({@code ferry promote --capture}). Creating it now would
   * silently miss every write made in between, so a missing slot stops capture instead.
   */
  private static void requireSlotWhenContinuing(PostgresSourceConfig config, TransactionSink sink)
      throws CaptureException {
    Optional<ResumePoint> resume;
    try {
      resume = sink.resumePoint();
    } catch (IOException e) {
      throw new CaptureException(config.name(), "cannot read where the journal ends: " + e.getMessage(), e);
    }
    if (resume.isEmpty() || !resume.get().isContinuing()) {
      return;
    }
    try (Connection c = Connections.normal(config)) {
      if (!SlotState.read(c, config.slotName()).exists()) {
        throw SlotState.missingSlot(config, resume);
      }
    } catch (SQLException e) {
      throw new CaptureException(config.name(), "cannot check the source: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e);
    }
  }

  /** Starts capturing on a new thread. */
  public static PostgresCapture start(PostgresSourceConfig config, TransactionSink sink) {
    PostgresCapture capture = new PostgresCapture(config, sink);
    capture.thread.start();
    return capture;
  }

  /**
   * Waits until the stream has started (or capture failed).
   *
   * @return false on timeout
   */
  @Override
  public boolean awaitStreaming(Duration timeout) throws InterruptedException {
    return firstStart.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Why capture stopped, once it stopped on an error: a {@link CaptureException}. */
  @Override
  public Optional<Exception> failure() {
    return Optional.ofNullable(failure);
  }

  /** Streaming while the capture thread runs, reconnects included, and has not failed. */
  @Override
  public State state() {
    if (failure != null) {
      return State.FAILED;
    }
    return isRunning() ? State.STREAMING : State.STARTING;
  }

  /** The slot's confirmed LSN as text ({@code 0/16B3748}). */
  @Override
  public Optional<String> confirmedPosition() {
    return Optional.of(confirmedLsn());
  }

  /**
   * Commits a tiny transactional logical message ({@code ferry.sync}) so there is something to
   * wait for even when the source is idle; it travels as a {@code Message} change. The check turns
   * true once the sink's durable head is at or past the message's LSN.
   */
  @Override
  public BooleanSupplier markSourceNow(Supplier<Optional<SourcePosition>> durableHead) throws IOException {
    long lsn;
    try (Connection c = DriverManager.getConnection(config.jdbcUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(true, 'ferry.sync', now()::text)::text")) {
      rs.next();
      lsn = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
    } catch (SQLException e) {
      throw new SideException(config.side(), "cannot mark a sync point: " + e.getMessage(), e);
    }
    return () -> durableHead.get().map(p -> p.kind() == SourcePosition.Kind.PG_LSN
        && Long.compareUnsigned(p.value(), lsn) >= 0).orElse(false);
  }

  /**
   * Writes {@code tag} into the stream at its exact place: a transactional logical message
   * ({@value Tag#PREFIX}) committed in its own transaction on the source. Returns the LSN of the
   * message.
   */
  public static String emitTag(PostgresSourceConfig config, Tag tag) throws IOException {
    try (Connection c = DriverManager.getConnection(config.jdbcUrl());
        PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)::text")) {
      ps.setString(1, Tag.PREFIX);
      ps.setString(2, tag.name());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    } catch (SQLException e) {
      throw new SideException(config.side(), "cannot write tag " + tag + ": " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e);
    }
  }

  /** Whether the capture thread still runs. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /** The LSN last confirmed to PostgreSQL as flushed, as text ({@code 0/16B3748}). */
  public String confirmedLsn() {
    return LogSequenceNumber.valueOf(confirmed.lsn()).asString();
  }

  private void run() {
    try {
      Optional<ResumePoint> resume = sink.resumePoint();
      if (resume.isPresent() && !resume.get().isContinuing()
          && resume.get().position().kind() != SourcePosition.Kind.PG_LSN) {
        throw new CaptureException(config.name(), "the sink's last transaction " + resume.get().gtid()
            + " did not come from PostgreSQL (source position " + resume.get().position() + "): give each "
            + "source its own journal");
      }
      resume.ifPresent(r -> LOG.info(r.isContinuing() ? "{}continuing the journal after {} (captured from its old"
          + " primary): the first transaction of this source gets the next sequence number" : "{}resuming after {} at {}",
          prefix, r.gtid(), r.position()));
      try (Catalog catalog = new Catalog(config)) {
        catalog.warnUnpublished();
        TransactionBuilder builder = new TransactionBuilder(config, sink, catalog, resume);
        streamWithRetries(builder, catalog, resume);
      }
    } catch (CaptureException e) {
      fail(e);
    } catch (SQLException e) {
      fail(new CaptureException(config.name(), "capture stopped: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")", e));
    } catch (IOException | RuntimeException e) {
      fail(new CaptureException(config.name(), "capture stopped: " + e, e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      firstStart.countDown();
    }
  }

  /** pgoutput streams transactions in progress from PostgreSQL 14 on (protocol version 2). */
  private void checkStreamingSupported(Connection c) throws SQLException, CaptureException {
    int major = c.getMetaData().getDatabaseMajorVersion();
    if (config.streaming() && major < 14) {
      throw new CaptureException(config.name(), "source.streaming is on, but PostgreSQL " + major
          + " cannot stream transactions in progress (pgoutput protocol version 2 needs PostgreSQL 14 or later):"
          + " set source.streaming to off");
    }
  }

  private void fail(CaptureException e) {
    failure = e;
    LOG.error("{}", e.getMessage(), e.getCause());
  }

  private void streamWithRetries(TransactionBuilder builder, Catalog catalog, Optional<ResumePoint> resume)
      throws SQLException, CaptureException, InterruptedException {
    long busySince = 0;
    while (!closed) {
      try {
        try (Connection check = Connections.normal(config)) {
          SlotState.check(config, check, resume);
          checkStreamingSupported(check);
          awaitSlotFree(check);
        }
        catalog.reconnectIfBroken();
        StreamSession session = new StreamSession(config, builder, pending, confirmed, applicationName);
        this.session = session;
        session.run(() -> closed, this::streaming);
        return;
      } catch (SQLException e) {
        builder.abandon();
        SqlErrorKind kind = PostgresErrors.INSTANCE.classify(e);
        if (kind == SqlErrorKind.OBJECT_IN_USE) {
          busySince = busySince == 0 ? System.nanoTime() : busySince;
          if (System.nanoTime() - busySince > SLOT_BUSY_PATIENCE.toNanos()) {
            try (Connection c = Connections.normal(config)) {
              throw SlotState.busy(config, c);
            }
          }
        } else if (kind == SqlErrorKind.UNDEFINED_OBJECT) {
          throw undefinedObject(e, resume);
        } else if (kind != SqlErrorKind.CONNECTION_LOST) {
          throw e;
        } else {
          busySince = 0;
        }
        if (kind == SqlErrorKind.OBJECT_IN_USE) {
          // Taken between our look and START_REPLICATION: look again soon, not after a growing backoff.
          LOG.warn("{}{} (SQLSTATE {}); trying again in {} ms", prefix, e.getMessage(), e.getSQLState(),
              SLOT_POLL.toMillis());
          Thread.sleep(SLOT_POLL.toMillis());
          continue;
        }
        LOG.warn("{}{} (SQLSTATE {}); reconnecting in {} ms", prefix, e.getMessage(), e.getSQLState(),
            backoff.toMillis());
        Thread.sleep(backoff.toMillis());
        backoff = min(backoff.multipliedBy(2), config.reconnectMax());
      }
    }
  }

  /**
   * {@code ferry-<name>}, and {@code @} and the start of the sink's owner id when the sink has
   * one (the journal's id), so the walsender of an earlier writer of the same journal is known.
   */
  private static String applicationName(PostgresSourceConfig config, TransactionSink sink) {
    String name = "ferry-" + config.name() + sink.exclusiveOwner().map(o -> "@" + o.substring(0, Math.min(8, o.length())))
        .orElse("");
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return bytes.length <= APPLICATION_NAME_BYTES ? name
        : new String(bytes, 0, APPLICATION_NAME_BYTES, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * When the slot is held at start — typically by the walsender of a capture killed a moment ago,
   * which PostgreSQL has not yet noticed is gone — says so in one line naming the slot and the pid,
   * and waits (polling every 50 ms, not with the reconnect backoff) until it is free. A walsender
   * with this capture's own application_name belongs to an earlier writer of the same journal;
   * this process holds the journal's lock, so that writer is gone, and its walsender is terminated
   * rather than waited for. Anything else holding the slot is waited for up to 5 s, then reported.
   */
  private void awaitSlotFree(Connection c) throws SQLException, CaptureException, InterruptedException {
    Optional<SlotHolder> holder = SlotHolder.of(c, config.slotName());
    if (holder.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    SlotHolder h = holder.get();
    boolean ours = !applicationName.equals("ferry-" + config.name()) && h.applicationName().equals(applicationName);
    if (ours) {
      LOG.warn("{}replication slot '{}' is still held by walsender pid {} (application {}, since {}), left by an "
          + "earlier capture into this journal that is gone: terminating it", prefix, config.slotName(), h.pid(),
          h.applicationName(), h.since());
      h.terminate(c);
    } else {
      LOG.warn("{}replication slot '{}' is held by pid {} (application {}, since {}): waiting up to {} s for it to "
          + "let go", prefix, config.slotName(), h.pid(), h.applicationName(), h.since(),
          SLOT_BUSY_PATIENCE.toSeconds());
    }
    while (SlotHolder.of(c, config.slotName()).isPresent()) {
      if (System.nanoTime() - start > SLOT_BUSY_PATIENCE.toNanos()) {
        throw SlotState.busy(config, c);
      }
      Thread.sleep(SLOT_POLL.toMillis());
    }
    LOG.info("{}replication slot '{}' free after {} ms", prefix, config.slotName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** The stream started: the next lost connection is retried quickly again. */
  private void streaming() {
    backoff = config.reconnectMin();
    firstStart.countDown();
  }

  private CaptureException undefinedObject(SQLException e, Optional<ResumePoint> resume) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("publication")) {
      // Present now, yet unknown where the slot decodes: it was dropped and created again after
      // the slot's position, and setup (which run repeats) cannot fix that.
      try (Connection c = Connections.normal(config)) {
        if (PostgresSetup.publicationExists(config, c)) {
          return SlotState.publicationReplaced(config, c);
        }
      } catch (SQLException checkFailed) {
        e.addSuppressed(checkFailed);
      }
      return SlotState.missingPublication(config);
    }
    if (message.contains("slot")) {
      return SlotState.missingSlot(config, resume);
    }
    return new CaptureException(config.name(), "capture stopped: " + message, e);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The idle wait of the current or last replication connection, if any (for tests). */
  IdleWait idleWait() {
    StreamSession s = session;
    return s == null ? null : s.idleWait();
  }

  /** Stops capturing: confirms what is durable and closes the connections. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join();
  }
}
