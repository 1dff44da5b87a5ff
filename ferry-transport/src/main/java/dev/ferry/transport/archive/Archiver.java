package dev.ferry.transport.archive;

import dev.ferry.journal.DurableFiles;
import dev.ferry.journal.Journal;
import dev.ferry.journal.SealedSegment;
import dev.ferry.journal.SegmentShipping;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.SegmentDigests;
import dev.ferry.transport.SegmentListing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a journal's sealed segments to an {@link ArchiveTarget}, in order, on a thread of its own:
 * a copy into a directory with the durable recipe ({@link DurableFiles}), or an archive command
 * with {@code %p}/{@code %f}. Failures are retried with doubling back-off. Only after success does
 * it tell the journal the segment is shipped ({@link SegmentShipping#shipped}, which writes the
 * {@code archive_status} marker durably and lets the segment be purged).
 *
 * <p>Into a directory it also writes, after each segment, the directory's {@link SegmentListing}
 * ({@code segments.list}, durably): what a replica pulling over HTTP reads first, so any static file
 * server that serves the archive directory serves a journal to replicas.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread; the journal must be open while
 * the archiver runs (close the archiver first).
 */
public final class Archiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);
  private final ArchiveConfig config;
  private final SegmentShipping shipping;
  private final String prefix;
  private final UUID journalId;
  private final SegmentDigests digests = new SegmentDigests();
  private final Thread thread;
  private volatile boolean stopping;
  /** Whether the archive's listing was read (its digests remembered) by this process. */
  private boolean listingRead;

  private Archiver(ArchiveConfig config, SegmentShipping shipping, Path journalDir, UUID journalId) {
    this.config = config;
    this.journalId = journalId;
    this.shipping = shipping;
    this.prefix = Side.journal(journalDir) + " ";
    this.thread = Thread.ofPlatform().name("ferry-archiver").daemon(true).unstarted(this::run);
  }

  /**
   * Starts archiving {@code journal}'s sealed segments, first those sealed before and not yet
   * archived.
   *
   * @throws IllegalArgumentException if {@code config} has no target
   * @throws IllegalStateException if the journal does not keep sealed segments until shipped
   */
  public static Archiver start(Journal journal, ArchiveConfig config) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("no archive target: nothing to start");
    }
    Archiver archiver = new Archiver(config, journal.shipping(), journal.directory(), journal.id());
    archiver.thread.start();
    return archiver;
  }

  /** Stops after the attempt in hand; a segment not yet marked is archived again on the next start. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    try {
      while (!stopping) {
        archiveWithRetry(shipping.next());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void archiveWithRetry(SealedSegment segment) throws InterruptedException {
    Duration wait = config.retryMin();
    for (int attempt = 1; ; attempt++) {
      try {
        if (!Files.exists(segment.path())) {
          LOG.warn("{}{} is gone before it was archived (force-purged?)", prefix, segment.fileName());
          return;
        }
        archive(segment);
        shipping.shipped(segment);
        LOG.info("{}archived {} (attempt {})", prefix, segment.fileName(), attempt);
        return;
      } catch (IOException e) {
        LOG.warn("{}archiving {} failed (attempt {}), retrying in {}: {}", prefix, segment.fileName(), attempt,
            wait, e.getMessage());
      }
      Thread.sleep(wait.toMillis());
      wait = wait.multipliedBy(2).compareTo(config.retryMax()) > 0 ? config.retryMax() : wait.multipliedBy(2);
    }
  }

  private void archive(SealedSegment segment) throws IOException, InterruptedException {
    switch (config.target()) {
      case ArchiveTarget.Directory d -> {
        copyDurably(segment.path(), d.directory());
        writeListing(d.directory());
      }
      case ArchiveTarget.Command c -> runCommand(c.command(), segment.path());
      case ArchiveTarget.None n -> {
      }
    }
  }

  private static void copyDurably(Path source, Path archiveDir) throws IOException {
    Files.createDirectories(archiveDir);
    DurableFiles.copy(source, archiveDir.resolve(source.getFileName().toString()));
  }

  /**
   * Rewrites the archive directory's listing: the previous listing's digests are taken as they
   * are, those of segments it does not list yet are computed.
   */
  private void writeListing(Path archiveDir) throws IOException {
    Path file = archiveDir.resolve(SegmentListing.FILE_NAME);
    if (!listingRead && Files.exists(file)) {
      try {
        digests.remember(SegmentListing.parse(Files.readAllBytes(file), file.toString()));
      } catch (SegmentListing.ListingException e) {
        LOG.warn("{}{}; writing it anew", prefix, e.getMessage());
      }
    }
    listingRead = true;
    DurableFiles.write(file, digests.listing(archiveDir, journalId).encode());
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
}
