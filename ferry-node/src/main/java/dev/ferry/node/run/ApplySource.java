package dev.ferry.node.run;

import dev.ferry.journal.Journal;
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
 */
record ApplySource(Optional<Journal> journal, Path journalDir, String journalId, long serverId, Seeder seeder) {
  /** Seeds a replica that has no position yet (a new one); a no-op when it has one. */
  @FunctionalInterface
  interface Seeder {
    void seedIfNew(ReplicaSpec replica) throws IOException, InterruptedException;
  }
}
