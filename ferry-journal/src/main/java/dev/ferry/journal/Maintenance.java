package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's maintenance thread and its side of {@link SegmentShipping}. Without shipping, each
 * sealed segment triggers a purge. With shipping ({@link JournalConfig#keepUntilShipped()}), each
 * sealed segment waits for the shipper (queued here, after the unshipped ones found at start),
 * and each segment reported shipped gets its archive marker durably, then triggers a purge.
 * Thread-safe: work is handed over through queues.
 */
final class Maintenance implements SegmentShipping {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  private final JournalConfig config;
  private final Purger purger;
  private final String prefix;
  private final LinkedBlockingQueue<SealedSegment> unshipped = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Boolean> purges = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopping;

  Maintenance(JournalConfig config, Purger purger) {
    this.config = config;
    this.purger = purger;
    this.prefix = Side.journal(config.directory()) + " ";
    this.thread = Thread.ofPlatform().name("ferry-journal-maintenance").daemon(true).unstarted(this::run);
  }

  /** Takes up the sealed segments that still lack an archive marker (after a restart). */
  void start() throws IOException {
    for (SegmentFile s : SegmentFiles.list(config.directory())) {
      if (!s.open() && !Files.exists(SegmentFiles.archiveMarker(config.directory(), s.fileName()))) {
        sealed(s);
      }
    }
    thread.start();
  }

  void sealed(SegmentFile segment) {
    if (config.keepUntilShipped()) {
      unshipped.add(new SealedSegment(segment.number(), segment.path(), segment.recordCount()));
    } else {
      purges.add(Boolean.TRUE);
    }
  }

  @Override
  public SealedSegment next() throws InterruptedException {
    return unshipped.take();
  }

  @Override
  public void shipped(SealedSegment segment) throws IOException {
    Files.createDirectories(SegmentFiles.archiveStatusDir(config.directory()));
    DurableFiles.write(SegmentFiles.archiveMarker(config.directory(), segment.fileName()), new byte[0]);
    purges.add(Boolean.TRUE);
  }

  void stop() throws InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  private void run() {
    try {
      while (!stopping) {
        purges.take();
        purgeQuietly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void purgeQuietly() {
    try {
      purger.purge();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}purge failed: {}", prefix, e.toString());
    }
  }
}
