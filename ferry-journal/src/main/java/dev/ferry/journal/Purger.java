package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes segments no consumer needs, oldest first, never the open one nor the newest (the journal's
 * last transaction, which capture resumes after, GTIDs included). A segment may go when it
 * is ARCHIVED (or SEALED when it need not be shipped: {@link JournalConfig#keepUntilShipped()}) and
 * lies below every consumer's floor: the
 * {@code retain-from} segment in the header of the segment holding the consumer's position, so
 * chunks of a transaction that commits later are kept. With no consumer registered nothing is
 * purged by acknowledgement. A size cap forces out the oldest sealed segments anyway, with a
 * warning naming the consumers that lose data; their readers then fail with
 * {@link PositionPurgedException}. The purge mark is written durably before any file is deleted.
 * Thread-safe (one purge at a time).
 */
final class Purger {
  private static final Logger LOG = LoggerFactory.getLogger(Purger.class);
  private final JournalConfig config;
  private final UUID journalId;
  private final Consumers consumers;
  private final java.util.function.LongSupplier openChunkFloor;
  private final ReentrantLock lock = new ReentrantLock();
  private final String prefix;

  Purger(JournalConfig config, UUID journalId, Consumers consumers, java.util.function.LongSupplier openChunkFloor) {
    this.config = config;
    this.openChunkFloor = openChunkFloor;
    this.journalId = journalId;
    this.consumers = consumers;
    this.prefix = Side.journal(config.directory()) + " ";
  }

  List<SegmentInfo> purge() throws IOException {
    lock.lock();
    try {
      return purgeLocked();
    } finally {
      lock.unlock();
    }
  }

  private List<SegmentInfo> purgeLocked() throws IOException {
    Path dir = config.directory();
    List<SegmentFile> segments = SegmentFiles.list(dir);
    Map<String, JournalPosition> positions = consumers.all();
    long floor = Math.min(floor(positions), openChunkFloor.getAsLong());
    long total = 0;
    for (SegmentFile s : segments) {
      total += Files.size(s.path());
    }
    List<SegmentFile> doomed = new ArrayList<>();
    for (SegmentFile s : segments) {
      // Never the open segment, nor the newest sealed one when none is open: it holds the journal's last
      // transaction, which capture resumes after (its GTID numbering too) when it starts again.
      if (s.open() || s == segments.getLast()) {
        break;
      }
      boolean done = archived(s);
      boolean overCap = config.retainedBytesCap() > 0 && total > config.retainedBytesCap();
      if (!(done && s.number() < floor)) {
        if (!overCap) {
          break;
        }
        warnForced(s, positions, done, total);
      }
      doomed.add(s);
      total -= Files.size(s.path());
    }
    return delete(doomed);
  }

  private boolean archived(SegmentFile s) {
    return !config.keepUntilShipped()
        || Files.exists(SegmentFiles.archiveMarker(config.directory(), s.fileName()));
  }

  private long floor(Map<String, JournalPosition> positions) throws IOException {
    long floor = positions.isEmpty() ? 0 : Long.MAX_VALUE;
    for (JournalPosition p : positions.values()) {
      floor = Math.min(floor, retainFrom(p.segment()));
    }
    return floor;
  }

  private long retainFrom(long segment) throws IOException {
    Optional<SegmentFile> file = SegmentFiles.find(config.directory(), segment);
    if (file.isEmpty()) {
      return segment;
    }
    try (FrameReader f = FrameReader.open(file.get().path(), segment, journalId, true).orElse(null)) {
      return f == null ? segment : Math.min(segment, f.header.retainFrom());
    }
  }

  private void warnForced(SegmentFile s, Map<String, JournalPosition> positions, boolean archived, long total) {
    List<String> losing = new ArrayList<>();
    positions.forEach((name, p) -> {
      if (p.segment() <= s.number()) {
        losing.add(name + "@" + p);
      }
    });
    LOG.warn("{}size cap {} bytes exceeded ({} bytes): force-purging {}{}; consumers {} lose data and must be "
        + "re-initialised", prefix, config.retainedBytesCap(), total, s.fileName(),
        archived ? "" : " (NOT archived)", losing);
  }

  private List<SegmentInfo> delete(List<SegmentFile> doomed) throws IOException {
    if (doomed.isEmpty()) {
      return List.of();
    }
    Path dir = config.directory();
    long mark = doomed.getLast().number();
    DurableFiles.write(SegmentFiles.purgedFile(dir), (mark + "\n").getBytes(StandardCharsets.UTF_8));
    List<SegmentInfo> purged = new ArrayList<>();
    for (SegmentFile s : doomed) {
      long size = Files.size(s.path());
      Files.delete(s.path());
      Files.deleteIfExists(SegmentFiles.archiveMarker(dir, s.fileName()));
      purged.add(new SegmentInfo(s.number(), SegmentState.PURGED, s.path(), size, s.recordCount(),
          Optional.empty(), Optional.empty()));
      LOG.info("{}purged {} ({} bytes)", prefix, s.fileName(), size);
    }
    DurableFiles.fsyncDirectory(dir);
    return purged;
  }
}
