package dev.ferry.journal;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one transaction of N rows as chunks and streams it back, in a JVM with a small heap
 * ({@link LargeTransactionTest} runs it with {@code -Xmx128m}). Prints {@code OK rows=N} on success.
 */
public final class LargeTransactionMain {
  private static final int CHUNK = 10_000;

  private LargeTransactionMain() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    TableId table = new TableId("public", "big");
    List<Column> columns = List.of(new Column("id", "int8", 20), new Column("v", "text", 25));
    Gtid gtid = new Gtid(0, 1, 1);
    // Small segments, so the transaction's chunks span several of them.
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4 << 20))) {
      LargeTransactionWriter writer = journal.beginLarge(gtid);
      List<Change> chunk = new ArrayList<>(CHUNK);
      for (long id = 0; id < rows; id++) {
        chunk.add(new Change.Insert(table, columns, List.of(new Value.Int64(id), new Value.Text("r"))));
        if (chunk.size() == CHUNK) {
          writer.append(chunk);
          chunk = new ArrayList<>(CHUNK);
        }
      }
      if (!chunk.isEmpty()) {
        writer.append(chunk);
      }
      writer.commit(Instant.ofEpochSecond(1), 1, SourcePosition.NONE).join();
      System.out.println("written");

      try (JournalReader reader = journal.readerAtOldest()) {
        JournalTransaction tx = reader.next(Duration.ZERO).orElseThrow();
        long expected = 0;
        try (ChangeCursor changes = tx.changes()) {
          while (changes.advance()) {
            Change.Insert insert = (Change.Insert) changes.current();
            if (((Value.Int64) insert.row().getFirst()).value() != expected++) {
              throw new AssertionError("row " + (expected - 1) + " out of order: " + insert);
            }
          }
        }
        if (expected != rows || tx.changeCount() != rows || reader.next(Duration.ZERO).isPresent()) {
          throw new AssertionError("read " + expected + " rows, transaction says " + tx.changeCount());
        }
      }
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println("OK rows=" + rows + " segments=" + JournalInspector.list(dir).size() + " maxHeap="
        + (rt.maxMemory() >> 20) + "MiB");
  }
}
