package dev.ferry.capture.trigger;

import dev.ferry.journal.model.Side;
import dev.ferry.capture.Capture;
import dev.ferry.journal.model.SourcePosition;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SqliteCapture} polling on a thread of its own until closed (see
 * {@link SqliteCapture#start}). Thread-safe.
 */
final class PollingCapture implements Capture {
  private static final Logger log = LoggerFactory.getLogger(PollingCapture.class);

  private final SqliteCapture capture;
  private final String name;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile boolean streaming;
  private volatile Exception failure;

  PollingCapture(SqliteCapture capture, String name) {
    this.capture = capture;
    this.name = name;
    this.thread = Thread.ofPlatform().name("ferry-capture-" + name).unstarted(this::poll);
  }

  PollingCapture start() {
    thread.start();
    return this;
  }

  private void poll() {
    try (capture) {
      streaming = true;
      capture.run(() -> stopping);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | SQLException | RuntimeException e) {
      failure = e;
      log.error("{} capture stopped: {}", Side.source(name), e.getMessage(), e);
    } finally {
      streaming = false;
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

  /** A change table has no position worth showing beside the journal's head. */
  @Override
  public Optional<String> confirmedPosition() {
    return Optional.empty();
  }

  /** True once a poll that started after this call found nothing left: no source round trip needed. */
  @Override
  public BooleanSupplier markSourceNow(Supplier<Optional<SourcePosition>> durableHead) {
    Instant mark = Instant.now();
    return () -> capture.caughtUpAsOf().map(t -> !t.isBefore(mark)).orElse(false);
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join();
  }
}
