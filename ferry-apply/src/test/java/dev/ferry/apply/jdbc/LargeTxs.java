package dev.ferry.apply.jdbc;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/** Writes transactions into a real journal (large ones as chunks) and applies it as a replica runner does. */
final class LargeTxs {
  /** Changes per chunk; a transaction with more is written chunked. */
  static final int CHUNK = 100;

  private LargeTxs() {
  }

  static Path journal(Path dir, List<Transaction> transactions) throws IOException, ExecutionException,
      InterruptedException {
    try (Journal j = Journal.open(JournalConfig.defaults(dir))) {
      for (Transaction t : transactions) {
        if (t.changes().size() <= CHUNK) {
          j.append(t).get();
          continue;
        }
        LargeTransactionWriter w = j.beginLarge(t.gtid());
        List<Change> changes = t.changes();
        for (int i = 0; i < changes.size(); i += CHUNK) {
          w.append(changes.subList(i, Math.min(changes.size(), i + CHUNK)));
        }
        w.commit(t.commitTime(), t.schemaSequence(), t.sourcePosition()).get();
      }
    }
    return dir;
  }

  /** Applies the whole journal from its oldest transaction, then flushes; chunked ones are streamed. */
  static int apply(Applier applier, Path dir) throws IOException, ApplyException, InterruptedException {
    int chunked = 0;
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> next;
      while ((next = reader.next(Duration.ZERO)).isPresent()) {
        JournalTransaction tx = next.get();
        chunked += tx.chunked() ? 1 : 0;
        applier.apply(tx, tx.nextPosition());
      }
    }
    applier.flush();
    return chunked;
  }
}
