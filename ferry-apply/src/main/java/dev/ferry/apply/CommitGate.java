package dev.ferry.apply;

import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;

/**
 * What a target commit waits for when the applier is handed transactions before the journal's
 * fsync made them durable ({@code JournalReader#readAheadOfFsync}): the commit of a group that
 * holds a transaction must not come before that transaction is durable in the journal, or a crash
 * of Ferry's process could leave the target holding a transaction the journal lost. Applying the
 * group's rows overlaps the fsync; only the commit waits.
 */
@FunctionalInterface
public interface CommitGate {
  /**
   * Returns once the journal is durable up to {@code upTo} (the position after the last transaction
   * the group holds).
   *
   * @throws IOException when the journal failed first (nothing may commit then)
   */
  void awaitDurable(JournalPosition upTo) throws IOException, InterruptedException;
}
