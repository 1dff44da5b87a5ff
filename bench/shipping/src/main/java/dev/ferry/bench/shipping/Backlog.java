package dev.ferry.bench.shipping;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.fixtures.BenchRows;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The primary's journal with a backlog of sealed segments, written once through the journal API
 * (transactions of 1 to 20 of the journal benchmark's five-column rows, {@link BenchRows}) and
 * then only read. Segments are sealed by size only (age: a day), so reopening the journal for the
 * push supplier seals nothing new.
 *
 * @param dir the journal directory
 * @param sealed the sealed segment files, oldest first
 * @param bytes their total size
 * @param config how to open the journal again (keeps sealed segments: nothing is purged while the
 *     push supplier acknowledges)
 */
record Backlog(Path dir, List<Path> sealed, long bytes, JournalConfig config) {
  private static final TableId TABLE = new TableId("public", "orders");

  static JournalConfig config(Path dir, long segmentBytes) {
    return JournalConfig.defaults(dir).withSegmentBytes(segmentBytes).withSegmentAge(Duration.ofDays(1))
        .withKeepUntilShipped(true);
  }

  /**
   * The backlog in {@code dir}: reused when {@code dir} already holds a journal, else written until
   * at least {@code targetBytes} are in sealed segments of {@code segmentBytes}.
   */
  static Backlog prepare(Path dir, long targetBytes, long segmentBytes) throws IOException {
    JournalConfig config = config(dir, segmentBytes);
    if (Files.exists(SegmentFiles.idFile(dir))) {
      System.err.println("reusing the journal in " + dir);
    } else {
      write(config, Math.max(1, (targetBytes + segmentBytes - 1) / segmentBytes));
    }
    List<Path> sealed = sealed(dir);
    if (sealed.isEmpty()) {
      throw new IllegalStateException(dir + " holds no sealed segment");
    }
    long bytes = 0;
    for (Path p : sealed) {
      bytes += Files.size(p);
    }
    return new Backlog(dir, sealed, bytes, config);
  }

  private static void write(JournalConfig config, long segments) throws IOException {
    List<List<Change>> bodies = BenchRows.bodies(TABLE, 64, 1, 20);
    long start = System.nanoTime();
    long seq = 0;
    try (Journal journal = Journal.open(config)) {
      while (sealed(config.directory()).size() < segments) {
        CompletableFuture<?> last = null;
        for (int i = 0; i < 2000; i++) {
          seq++;
          last = journal.append(new Transaction(new Gtid(0, 1, seq), Instant.ofEpochSecond(1_700_000_000L, seq), 1,
              SourcePosition.changeId(seq), bodies.get((int) (seq % bodies.size()))));
        }
        last.join();
      }
    }
    System.err.printf("wrote %d transactions into %s in %.1f s%n", seq, config.directory(),
        (System.nanoTime() - start) / 1e9);
  }

  static List<Path> sealed(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(SegmentFiles::isSealedSegment)
          .sorted(Comparator.comparingLong(p -> SegmentFiles.sealedNumber(p).orElseThrow())).toList();
    }
  }
}
