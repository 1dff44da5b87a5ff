package dev.ferry.node.cli;

import dev.ferry.apply.sync.CopyProgress;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a long operation a command runs ({@code ferry export}, {@code ferry load}, {@code ferry
 * table add|resync}) while it runs: a status file of its own beside the node's
 * ({@code status-op-<pid>.json}, {@link StatusFile#forOperation}), written at once and then every
 * second, removed when it ends. {@code ferry status} and a running node's {@code /api/status} read
 * it ({@link StatusReader#operations}); a file whose process is gone (kill -9) is not shown. The
 * command has no HTTP server of its own: the node's one server shows what this file says.
 * Thread-safe: the copy's threads give it their figures, its own thread writes.
 */
final class OperationStatus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperationStatus.class);

  private final StatusFile file;
  private final String operation;
  private final String subject;
  private final String journalDir;
  private final Instant started = Instant.now();
  private final AtomicReference<CopyProgress> figures = new AtomicReference<>();
  private final Thread writer;
  private final CountDownLatch stop = new CountDownLatch(1);

  private OperationStatus(FerryConfig config, String operation, String subject) {
    this.file = StatusFile.forOperation(config.status().file());
    this.operation = operation;
    this.subject = subject;
    this.journalDir = config.journal().directory().toString();
    this.writer = Thread.ofPlatform().daemon().name("ferry-operation-status").unstarted(this::writeLoop);
  }

  /** Starts publishing {@code operation} on {@code subject}; {@link #close} ends it. */
  static OperationStatus start(FerryConfig config, String operation, String subject) {
    OperationStatus s = new OperationStatus(config, operation, subject);
    s.write();
    s.writer.start();
    return s;
  }

  /** Takes the figures of each copy, export or load as it starts (the newest is shown). */
  Consumer<CopyProgress> watcher() {
    return figures::set;
  }

  /** The operation now: zero tables until its copy starts. */
  NodeStatus.Operation now() {
    CopyProgress p = figures.get();
    NodeStatus.Progress progress = p == null
        ? new NodeStatus.Progress(operation, 0, 0, 0, 0, 0, Instant.now().getEpochSecond() - started.getEpochSecond(),
            Optional.empty())
        : NodeStatus.Progress.of(operation, p.snapshot());
    return new NodeStatus.Operation(subject, ProcessHandle.current().pid(), started, progress);
  }

  private void writeLoop() {
    try {
      while (!stop.await(1, TimeUnit.SECONDS)) {
        write();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write() {
    NodeStatus status = new NodeStatus(Instant.now(), Optional.empty(),
        new NodeStatus.Journal(journalDir, "", Optional.empty(), Optional.empty()), List.of(), List.of(),
        List.of(now()));
    try {
      file.write(status);
    } catch (IOException | RuntimeException e) {
      log.warn("{} cannot publish its progress: {}", operation, e.getMessage());
    }
  }

  @Override
  public void close() {
    stop.countDown(); // not an interrupt: a write in hand finishes, its channel is not closed under it
    try {
      writer.join(5000);
      file.remove();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("{} cannot remove its status file: {}", operation, e.getMessage());
    }
  }
}
