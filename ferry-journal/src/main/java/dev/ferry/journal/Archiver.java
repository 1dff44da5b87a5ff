package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's maintenance thread: archives each sealed segment in order (copy into a directory
 * with the durable recipe, or an archive command with {@code %p}/{@code %f}), retrying failures
 * with doubling back-off, writes the {@code archive_status/<file>.done} marker durably only after
 * success, then runs a purge. Thread-safe: segments are handed over through a queue.
 */
final class Archiver {
  private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);
  private final JournalConfig config;
  private final Purger purger;
  private final String prefix;
  private final LinkedBlockingQueue<SegmentFile> sealed = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopping;

  Archiver(JournalConfig config, Purger purger) {
    this.config = config;
    this.purger = purger;
    this.prefix = "[journal " + config.directory() + "] ";
    this.thread = Thread.ofPlatform().name("ferry-journal-archiver").daemon(true).unstarted(this::run);
  }

  /** Queues the sealed segments that still lack an archive marker (after a restart). */
  void start() throws IOException {
    for (SegmentFile s : SegmentFiles.list(config.directory())) {
      if (!s.open() && !Files.exists(SegmentFiles.archiveMarker(config.directory(), s.fileName()))) {
        sealed.add(s);
      }
    }
    thread.start();
  }

  void sealed(SegmentFile segment) {
    sealed.add(segment);
  }

  void stop() throws InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    try {
      while (!stopping) {
        SegmentFile segment = sealed.take();
        if (!(config.archive() instanceof ArchiveTarget.None)) {
          archiveWithRetry(segment);
        }
        purgeQuietly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void archiveWithRetry(SegmentFile segment) throws InterruptedException {
    Duration wait = config.archiveRetryMin();
    for (int attempt = 1; ; attempt++) {
      try {
        if (!Files.exists(segment.path())) {
          LOG.warn("{}{} is gone before it was archived (force-purged?)", prefix, segment.fileName());
          return;
        }
        archive(segment);
        markArchived(segment);
        LOG.info("{}archived {} (attempt {})", prefix, segment.fileName(), attempt);
        return;
      } catch (IOException e) {
        LOG.warn("{}archiving {} failed (attempt {}), retrying in {}: {}", prefix, segment.fileName(), attempt,
            wait, e.getMessage());
      }
      Thread.sleep(wait.toMillis());
      wait = wait.multipliedBy(2).compareTo(config.archiveRetryMax()) > 0 ? config.archiveRetryMax()
          : wait.multipliedBy(2);
    }
  }

  private void archive(SegmentFile segment) throws IOException, InterruptedException {
    switch (config.archive()) {
      case ArchiveTarget.Directory d -> copyDurably(segment.path(), d.directory());
      case ArchiveTarget.Command c -> runCommand(c.command(), segment.path());
      case ArchiveTarget.None n -> {
      }
    }
  }

  private static void copyDurably(Path source, Path archiveDir) throws IOException {
    Files.createDirectories(archiveDir);
    DurableFiles.copy(source, archiveDir.resolve(source.getFileName().toString()));
  }

  static String expand(String command, Path segment) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '%' && i + 1 < command.length()) {
        char next = command.charAt(++i);
        switch (next) {
          case 'p' -> out.append(segment.toAbsolutePath());
          case 'f' -> out.append(segment.getFileName());
          case '%' -> out.append('%');
          default -> out.append('%').append(next);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private void runCommand(String template, Path segment) throws IOException, InterruptedException {
    String command = expand(template, segment);
    Process process = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int exit = process.waitFor();
    if (exit != 0) {
      throw new IOException("archive command '" + command + "' exited with " + exit
          + (output.isEmpty() ? "" : ": " + output));
    }
  }

  private void markArchived(SegmentFile segment) throws IOException {
    Files.createDirectories(SegmentFiles.archiveStatusDir(config.directory()));
    DurableFiles.write(SegmentFiles.archiveMarker(config.directory(), segment.fileName()), new byte[0]);
  }

  private void purgeQuietly() {
    try {
      purger.purge();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}purge failed: {}", prefix, e.toString());
    }
  }
}
