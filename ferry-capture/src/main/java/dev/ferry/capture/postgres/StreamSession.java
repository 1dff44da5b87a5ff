package dev.ferry.capture.postgres;

import dev.ferry.capture.CaptureException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replication connection's life: starts the pgoutput stream from the slot, feeds every message
 * to the {@link TransactionBuilder}, and tells PostgreSQL "flushed" for a transaction's end LSN
 * only after the sink's future for it (and for every transaction before it) has completed. When
 * nothing is pending or open it confirms the server's WAL end from keepalives, so an idle source
 * or one where only unselected tables change still lets the slot advance.
 *
 * <p>Reading never sleeps while the server has data buffered; when a read had to wait for the
 * server, a 500 us nap lets the next changes gather so they are read in a batch rather than one
 * wake-up per packet (less CPU per change, docs/benchmarks.md). A stream idle for 100 ms with nothing
 * waiting to be confirmed waits for the server's next byte up to 100 ms at a time ({@link IdleWait}):
 * a change that arrives ends the wait at once.
 *
 * <p>Not thread-safe: runs on the capture thread.
 */
final class StreamSession {
  private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
  /**
   * How often the durable position is reported at most. A source whose {@code
   * synchronous_standby_names} lists Ferry holds each commit until that report, so this bounds the
   * latency Ferry adds to it (at 100 ms, one synchronous replica cost the primary 0.22x the TPS of
   * PostgreSQL's own synchronous subscription: bench/push); a report is sent only when the position
   * moved, so 2 ms is at most 500 small messages a second, and far fewer when little is captured.
   */
  private static final long REPORT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** A read that took longer than this waited for the server rather than reading buffered bytes. */
  private static final long WAITED_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  /** How long to let changes gather after a read that waited (adds at most this to capture latency). */
  private static final long BATCH_NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
  /** After this long without data the stream counts as idle, and empty polls are spaced out. */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long IDLE_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /**
   * How long an idle stream waits for the server's next byte at a time (bounds how long a stop
   * takes); {@code -Dferry.capture.idle-wait-ms} sets it for tests.
   */
  private final int idleWaitMillis = Integer.getInteger("ferry.capture.idle-wait-ms", 100);

  private final PostgresSourceConfig config;
  private final TransactionBuilder builder;
  private final ArrayDeque<TransactionBuilder.Pending> pending;
  private final Confirmed confirmed;
  private final String applicationName;
  private long lastReportNanos;
  /** When the current run of empty polls began, or 0 while data flows. */
  private long idleSince;
  private final IdleWait idleWait = new IdleWait();

  /** The LSN last reported to the server as flushed; shared with the owner for inspection. */
  static final class Confirmed {
    private volatile long lsn;

    long lsn() {
      return lsn;
    }
  }

  StreamSession(PostgresSourceConfig config, TransactionBuilder builder,
      ArrayDeque<TransactionBuilder.Pending> pending, Confirmed confirmed, String applicationName) {
    this.config = config;
    this.applicationName = applicationName;
    this.builder = builder;
    this.pending = pending;
    this.confirmed = confirmed;
  }

  /** Streams until {@code stop} says so; throws when the connection or the sink fails. */
  void run(BooleanSupplier stop, Runnable onStarted) throws SQLException, CaptureException, InterruptedException {
    try (Connection c = Connections.replication(config, applicationName, idleWait.register())) {
      var builder = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
          .withSlotName(config.slotName())
          .withSlotOption("proto_version", config.streaming() ? "2" : "1")
          .withSlotOption("publication_names", config.publicationName())
          .withSlotOption("messages", "true");
      if (config.streaming()) {
        // Transactions larger than the server's logical_decoding_work_mem arrive while in progress.
        builder = builder.withSlotOption("streaming", "on");
      }
      PGReplicationStream stream = builder
          .withStartPosition(LogSequenceNumber.INVALID_LSN)
          .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
          .start();
      // Nothing confirmed by this process yet means the slot resumes where the server recorded it.
      LOG.info("{} streaming from slot {} ({})", config.side(), config.slotName(), confirmed.lsn() == 0
          ? "from its confirmed position" : "confirmed " + LogSequenceNumber.valueOf(confirmed.lsn()).asString());
      onStarted.run();
      try {
        loop(stream, stop);
      } catch (SQLException | CaptureException | InterruptedException | RuntimeException e) {
        closeAfter(stream, e);
        throw e;
      }
      confirm(stream, true);
      stream.close();
    } finally {
      idleWait.unregister();
    }
  }

  /** The wait of this session's connection (for tests: how often an idle stream looked for data). */
  IdleWait idleWait() {
    return idleWait;
  }

  /**
   * After the stream failed: confirms what is durable and closes it if the stream still lets us, but
   * never lets that hide the failure. The server's error (a dropped publication, say) closes the
   * stream, and a confirmation then fails with "This replication stream has been closed" (08003,
   * "connection lost"), which, thrown from a {@code finally}, replaced the real error: capture then
   * reconnected forever instead of stopping with the actionable message (seen in
   * CaptureRestartMessagesTest whenever a keepalive had advanced the position before the error).
   */
  private void closeAfter(PGReplicationStream stream, Exception failure) {
    try {
      confirm(stream, true);
      stream.close();
    } catch (SQLException | CaptureException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private void loop(PGReplicationStream stream, BooleanSupplier stop)
      throws SQLException, CaptureException, InterruptedException {
    while (!stop.getAsBoolean()) {
      // With a status interval set, pgjdbc's replication socket waits up to 1 ms for the next byte
      // when nothing is buffered: readPending returns as soon as data arrives, null after 1 ms idle.
      long before = System.nanoTime();
      ByteBuffer buffer = stream.readPending();
      boolean waited = System.nanoTime() - before > WAITED_NANOS;
      if (buffer == null) {
        confirm(stream, false);
        if (idleSince == 0) {
          idleSince = before;
        } else if (before - idleSince > IDLE_NANOS) {
          if (idleWait.attached() && pending.isEmpty()) {
            // Nothing to confirm: wait for the server's next byte, not for a timer.
            idleWait.stretch(idleWaitMillis);
          } else {
            // A transaction still waits for its fsync (or the socket is not ours): keep looking every
            // 1-2 ms so its confirmation goes out as soon as it is durable.
            idleWait.stretch(0);
            LockSupport.parkNanos(IDLE_NAP_NANOS);
          }
        }
        continue;
      }
      if (idleWait.stretched()) {
        idleWait.stretch(0);
      }
      idleSince = 0;
      Optional<TransactionBuilder.Pending> done = this.builder.accept(PgOutput.decode(buffer, this.builder.inStreamBlock()));
      done.ifPresent(pending::addLast);
      confirm(stream, false);
      if (waited) {
        // The read waited for the server: we decode faster than it sends, and it sends each change
        // in its own packet. Waking for every packet costs more CPU (syscalls, wake-ups) than the
        // decoding; a short nap lets dozens of changes gather so the next reads come from the buffer.
        // (PostgresCaptureThroughputBench prints the capture thread's CPU; see docs/benchmarks.md.)
        LockSupport.parkNanos(BATCH_NAP_NANOS);
      }
    }
  }

  /** Reports the highest LSN below which everything is durable, at most every 2 ms unless forced. */
  private void confirm(PGReplicationStream stream, boolean force) throws SQLException, CaptureException {
    long now = System.nanoTime();
    if (!force && now - lastReportNanos < REPORT_EVERY_NANOS) {
      return;
    }
    long flushed = confirmed.lsn;
    while (!pending.isEmpty() && pending.peekFirst().durable().isDone()) {
      TransactionBuilder.Pending p = pending.removeFirst();
      checkDurable(p);
      flushed = Math.max(flushed, p.endLsn());
    }
    if (pending.isEmpty() && !builder.inTransaction()) {
      flushed = Math.max(flushed, stream.getLastReceiveLSN().asLong());
    }
    lastReportNanos = now;
    if (flushed > confirmed.lsn) {
      LogSequenceNumber lsn = LogSequenceNumber.valueOf(flushed);
      stream.setFlushedLSN(lsn);
      stream.setAppliedLSN(lsn);
      stream.forceUpdateStatus();
      confirmed.lsn = flushed;
    }
  }

  private void checkDurable(TransactionBuilder.Pending p) throws CaptureException {
    try {
      p.durable().get();
    } catch (ExecutionException e) {
      throw new CaptureException(config.name(), "the sink failed to make the transaction ending at "
          + LogSequenceNumber.valueOf(p.endLsn()).asString() + " durable; nothing after it is confirmed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted although the future was done", e);
    }
  }
}
