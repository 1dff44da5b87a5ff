package dev.ferry.journal;

import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Appends transactions 0-1-first, 0-1-(first+1), ... forever, keeping many in flight, and prints
 * {@code ACK <seq>} (flushed) after each one's future completed. Every 25th is a chunked
 * transaction. Killed with SIGKILL by {@link CrashTest}.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seq = Long.parseLong(args[1]);
    PrintStream out = System.out;
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(64 << 10))) {
      ArrayDeque<CompletableFuture<JournalPosition>> inFlight = new ArrayDeque<>();
      ArrayDeque<Long> seqs = new ArrayDeque<>();
      while (true) {
        while (inFlight.size() < 32) {
          inFlight.add(append(journal, seq));
          seqs.add(seq++);
        }
        inFlight.remove().join();
        out.println("ACK " + seqs.remove());
        out.flush();
      }
    }
  }

  static CompletableFuture<JournalPosition> append(Journal journal, long seq) {
    Transaction small = TestData.small(seq);
    if (seq % 25 != 0) {
      return journal.append(small);
    }
    LargeTransactionWriter large = journal.beginLarge(small.gtid());
    for (int chunk = 0; chunk < 3; chunk++) {
      large.append(List.of(small.changes().getFirst(), small.changes().getFirst()));
    }
    return large.commit(Instant.ofEpochSecond(seq), 1, SourcePosition.changeId(seq));
  }
}
