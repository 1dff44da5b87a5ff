package dev.ferry.node.sync;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.sync.CopyProgress;
import dev.ferry.apply.sync.ExportArchive;
import dev.ferry.apply.sync.ReplicationPoint;
import dev.ferry.apply.sync.SyncException;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import dev.ferry.node.run.ReplicaSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a full export archive into a replica so that it streams from the archive's replication
 * point: {@code ferry load}.
 *
 * <ol>
 *   <li>{@link ExportArchive#open}: every file is checked against {@code SHA256SUMS}; a corrupt or
 *       missing file is refused by name before the target is touched.</li>
 *   <li>With a replication point, the configured journal must be the archive's (same UUID) and
 *       must still hold the point (its segment not purged); otherwise the load is refused, naming
 *       both.</li>
 *   <li>{@link ExportArchive#loadInto}: tables created, emptied and filled, and the progress row set
 *       to the point, all in one target transaction.</li>
 * </ol>
 *
 * A replica loaded from an archive without a replication point holds the archive's data but no
 * position; {@link InitialSync#needsSeed} then refuses to let it stream. Blocking; one load per
 * replica at a time.
 */
public final class ArchiveLoad {
  private static final Logger log = LoggerFactory.getLogger(ArchiveLoad.class);

  /** What a load did: rows per table, and the point the replica streams from (empty: none). */
  public record Loaded(Map<TableId, Long> rowsByTable, Optional<ReplicationPoint> point) {
    public long rows() {
      return rowsByTable.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private ArchiveLoad() {
  }

  /**
   * @param journalDir the configured journal; it must exist when the archive is a replication point
   * @throws IOException naming the archive, the file or the journals that do not match; the
   *     target is then unchanged
   */
  public static Loaded load(Path archiveDir, ReplicaSpec replica, Path journalDir) throws IOException {
    return load(archiveDir, replica, journalDir, p -> { });
  }

  /** As {@link #load(Path, ReplicaSpec, Path)}; {@code watcher} gets the load's live figures when it starts. */
  public static Loaded load(Path archiveDir, ReplicaSpec replica, Path journalDir, Consumer<CopyProgress> watcher)
      throws IOException {
    Side side = Side.replica(replica.name());
    String prefix = side + " ";
    ExportArchive archive = ExportArchive.open(archiveDir);
    Optional<ReplicationPoint> point = archive.replicationPoint();
    String journalId = Files.isRegularFile(SegmentFiles.idFile(journalDir))
        ? JournalInspector.journalId(journalDir).toString() : "none";
    if (point.isPresent()) {
      checkJournal(side, archiveDir, point.get(), journalDir, journalId);
    } else {
      log.warn("{}archive {} is no replication point ({} is empty): the replica gets its data but cannot stream",
          prefix, archiveDir, ExportArchive.REPLICATION_SEQUENCE);
    }
    ApplyConfig config = InitialSync.forJournal(replica, point.map(ReplicationPoint::journalId).orElse(journalId));
    Map<TableId, Long> rows = archive.loadInto(config, replica::connect, point, watcher);
    return new Loaded(rows, point);
  }

  private static void checkJournal(Side side, Path archiveDir, ReplicationPoint point, Path journalDir,
      String journalId) throws IOException {
    if (!point.journalId().equals(journalId)) {
      throw new SyncException(side, "archive " + archiveDir + " was exported from journal " + point.journalId()
          + ", but the configured journal " + journalDir + " is " + journalId + ": the replication point means "
          + "nothing in another journal; export again from this one");
    }
    JournalPosition at = point.resume().journalPosition().orElseThrow();
    long purged = JournalInspector.purgedThrough(journalDir);
    if (at.segment() <= purged) {
      throw new SyncException(side, "archive " + archiveDir + " resumes at journal position " + at
          + ", but journal " + journalDir + " has purged segments up to " + purged + ": the transactions after the "
          + "archive are gone; export again");
    }
  }
}
