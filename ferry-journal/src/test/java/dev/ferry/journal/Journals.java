package dev.ferry.journal;

import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test helpers around journals. */
final class Journals {
  private Journals() {
  }

  static JournalConfig config(Path dir) {
    return JournalConfig.defaults(dir);
  }

  /** Every transaction a reader hands out without waiting. */
  static List<Transaction> readAll(JournalReader reader) throws IOException, InterruptedException {
    List<Transaction> all = new ArrayList<>();
    Optional<JournalTransaction> tx;
    while ((tx = reader.next(Duration.ZERO)).isPresent()) {
      all.add(tx.get().toTransaction());
    }
    return all;
  }

  static List<Transaction> readAll(Path dir) throws IOException, InterruptedException {
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      return readAll(reader);
    }
  }

  static List<Long> seqs(List<Transaction> transactions) {
    return transactions.stream().map(t -> t.gtid().seq()).toList();
  }

  static void appendAll(Journal journal, List<Transaction> transactions) {
    List<java.util.concurrent.CompletableFuture<JournalPosition>> futures = new ArrayList<>();
    for (Transaction t : transactions) {
      futures.add(journal.append(t));
    }
    futures.forEach(java.util.concurrent.CompletableFuture::join);
  }
}
