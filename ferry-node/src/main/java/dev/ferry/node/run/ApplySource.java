package dev.ferry.node.run;

import dev.ferry.journal.Journal;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.CopyFeed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link ReplicaRunner} reads and how it names GTIDs. Immutable.
 *
 * @param journal the journal, when this process writes it (the reader then wakes on appends)
 * @param journalDir its directory
 * @param journalId its UUID, keying the replica's progress row
 * @param serverId the source's GTID server id, to name the applied GTID read from the target
 * @param seeder seeds a new replica before it streams
 * @param feed what receives the journal copy, on a replica node (told what the replicas committed)
 */
record ApplySource(Optional<Journal> journal, Path journalDir, String journalId, long serverId, Seeder seeder,
    Optional<CopyFeed> feed) {
  /** Seeds a replica that has no position yet (a new one); a no-op when it has one. */
  @FunctionalInterface
  interface Seeder {
    void seedIfNew(ReplicaSpec replica) throws IOException, InterruptedException;
  }

  /** Whether a primary waits for what the replicas commit ({@link CopyFeed#awaitsApplied}). */
  boolean awaitsApplied() {
    return feed.isPresent() && feed.get().awaitsApplied();
  }

  /** Tells the feed that {@code replica} committed up to {@code position}. */
  void reportApplied(String replica, JournalPosition position) {
    feed.ifPresent(f -> f.applied(replica, position));
  }
}
