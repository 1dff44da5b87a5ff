package dev.ferry.apply.schedule;

import dev.ferry.apply.Applier;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Journals for the parallel apply tests: written from transactions, applied whole. */
final class TestJournals {
  private TestJournals() {
  }

  /** Writes {@code txs} into a new journal in {@code journal}; returns it. */
  static Path write(Path journal, List<Transaction> txs) throws Exception {
    try (Journal j = Journal.open(JournalConfig.defaults(journal))) {
      CompletableFuture<?> last = null;
      for (Transaction t : txs) {
        last = j.append(t);
      }
      last.get();
    }
    return journal;
  }

  /** Applies everything in {@code journal}, from its oldest transaction, then flushes. */
  static void applyAll(Applier applier, Path journal) throws Exception {
    try (JournalReader reader = JournalReader.openAtOldest(journal)) {
      Optional<JournalTransaction> next;
      while ((next = reader.next(Duration.ZERO)).isPresent()) {
        applier.apply(next.get(), next.get().nextPosition());
      }
    }
    applier.flush();
  }
}
