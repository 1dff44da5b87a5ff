package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.SourcePosition;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
public final class PostgresCapture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCapture.class);
  /** How long a busy slot is waited for: after a reconnect our own old walsender may hold it briefly. */
  private static final Duration SLOT_BUSY_PATIENCE = Duration.ofSeconds(5);

  private final PostgresSourceConfig config;
  private final TransactionSink sink;
  private final String prefix;
  private final Thread thread;
  private final StreamSession.Confirmed confirmed = new StreamSession.Confirmed();
  private final ArrayDeque<TransactionBuilder.Pending> pending = new ArrayDeque<>();
  private final CountDownLatch firstStart = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile CaptureException failure;
  /** Wait before the next reconnect; confined to the capture thread. */
  private Duration backoff;

  private PostgresCapture(PostgresSourceConfig config, TransactionSink sink) {
    this.config = config;
    this.sink = sink;
    this.prefix = "[source " + config.name() + "] ";
    this.thread = new Thread(this::run, "ferry-capture-" + config.name());
    this.backoff = config.reconnectMin();
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
  public boolean awaitStreaming(Duration timeout) throws InterruptedException {
    return firstStart.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Why capture stopped, once it stopped on an error. */
  public Optional<CaptureException> failure() {
    return Optional.ofNullable(failure);
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
      if (resume.isPresent() && resume.get().position().kind() != SourcePosition.Kind.PG_LSN) {
        throw new CaptureException(config.name(), "the sink's last transaction " + resume.get().gtid()
            + " did not come from PostgreSQL (source position " + resume.get().position() + "): give each "
            + "source its own journal");
      }
      resume.ifPresent(r -> LOG.info("{}resuming after {} at {}", prefix, r.gtid(), r.position()));
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
        }
        catalog.reconnectIfBroken();
        new StreamSession(config, builder, pending, confirmed).run(() -> closed, this::streaming);
        return;
      } catch (SQLException e) {
        builder.abandon();
        SqlStates.Kind kind = SqlStates.classify(e);
        if (kind == SqlStates.Kind.SLOT_IN_USE) {
          busySince = busySince == 0 ? System.nanoTime() : busySince;
          if (System.nanoTime() - busySince > SLOT_BUSY_PATIENCE.toNanos()) {
            try (Connection c = Connections.normal(config)) {
              throw SlotState.busy(config, c);
            }
          }
        } else if (kind == SqlStates.Kind.UNDEFINED_OBJECT) {
          throw undefinedObject(e, resume);
        } else if (kind != SqlStates.Kind.CONNECTION_LOST) {
          throw e;
        } else {
          busySince = 0;
        }
        LOG.warn("{}{} (SQLSTATE {}); reconnecting in {} ms", prefix, e.getMessage(), e.getSQLState(),
            backoff.toMillis());
        Thread.sleep(backoff.toMillis());
        backoff = min(backoff.multipliedBy(2), config.reconnectMax());
      }
    }
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

  /** Stops capturing: confirms what is durable and closes the connections. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join();
  }
}
