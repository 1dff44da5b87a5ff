package dev.ferry.node.run;

import dev.ferry.journal.SourcePosition;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import dev.ferry.capture.postgres.PostgresCapture;
import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.trigger.SqliteCapture;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the capture of one source into the journal on its own thread until closed. A failure an
 * operator must fix stops it; {@link #failure()} then says what to do. Thread-safe.
 */
final class CaptureRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureRunner.class);

  private final SourceSpec source;
  private volatile boolean stopping;
  private volatile Exception failure;
  private volatile boolean streaming;
  private Thread thread;
  private PostgresCapture postgres;
  private SqliteCapture sqlite;
  private TrackingSink sink;

  private CaptureRunner(SourceSpec source) {
    this.source = source;
  }

  /** Sets the source up if needed (idempotent) and starts capturing into {@code journal}. */
  static CaptureRunner start(SourceSpec source, TrackingSink sink) throws IOException {
    CaptureRunner runner = new CaptureRunner(source);
    runner.sink = sink;
    switch (source) {
      case SourceSpec.Postgres pg -> {
        PostgresSetup.prepareForCapture(pg.config());
        runner.postgres = PostgresCapture.start(pg.config(), sink);
      }
      case SourceSpec.Sqlite lite -> {
        SqliteCapture capture;
        try {
          capture = SqliteCapture.open(lite.config(), sink);
        } catch (SQLException e) {
          throw new IOException("[source " + source.name() + "] cannot open " + lite.config().jdbcUrl() + ": "
              + e.getMessage(), e);
        }
        runner.sqlite = capture;
        runner.thread = Thread.ofPlatform().name("ferry-capture-" + source.name()).start(() -> runner.poll(capture));
      }
    }
    return runner;
  }

  private void poll(SqliteCapture capture) {
    try (capture) {
      streaming = true;
      capture.run(() -> stopping);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | SQLException | RuntimeException e) {
      failure = e;
      log.error("[source {}] capture stopped: {}", source.name(), e.getMessage(), e);
    } finally {
      streaming = false;
    }
  }

  /** Whether capture is streaming (started and not failed). */
  boolean streaming() {
    if (postgres != null) {
      return postgres.isRunning() && postgres.failure().isEmpty();
    }
    return streaming && failure == null;
  }

  boolean awaitStreaming(Duration timeout) throws InterruptedException {
    if (postgres != null) {
      return postgres.awaitStreaming(timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!streaming && failure == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return streaming;
  }

  Optional<Exception> failure() {
    if (postgres != null) {
      return postgres.failure().map(e -> e);
    }
    return Optional.ofNullable(failure);
  }

  /** Source-specific position text for status (PostgreSQL: the slot's confirmed LSN). */
  Optional<String> sourcePosition() {
    return postgres == null ? Optional.empty() : Optional.ofNullable(postgres.confirmedLsn());
  }

  /**
   * Marks "now" at the source: the returned check turns true once everything committed at the
   * source before this call is durable in the journal. On PostgreSQL this commits a tiny
   * transactional logical message ({@code ferry.sync}) so there is something to wait for even
   * when the source is idle; it travels as a {@code Message} change.
   */
  BooleanSupplier markSourceNow() throws IOException {
    if (sqlite != null) {
      Instant mark = Instant.now();
      return () -> sqlite.caughtUpAsOf().map(t -> !t.isBefore(mark)).orElse(false);
    }
    SourceSpec.Postgres pg = (SourceSpec.Postgres) source;
    long lsn;
    try (Connection c = DriverManager.getConnection(pg.config().jdbcUrl());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(true, 'ferry.sync', now()::text)::text")) {
      rs.next();
      lsn = org.postgresql.replication.LogSequenceNumber.valueOf(rs.getString(1)).asLong();
    } catch (java.sql.SQLException e) {
      throw new IOException("[source " + source.name() + "] cannot mark a sync point: " + e.getMessage(), e);
    }
    return () -> sink.head().map(h -> h.position().kind() == SourcePosition.Kind.PG_LSN
        && Long.compareUnsigned(h.position().value(), lsn) >= 0).orElse(false);
  }

  /** Stops after the transaction in hand: what was captured is durable in the journal. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (postgres != null) {
      postgres.close();
    }
    if (thread != null) {
      thread.join();
    }
  }
}
