package dev.ferry.bench.shipping;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Column;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.TableId;
import dev.ferry.journal.model.Transaction;
import dev.ferry.journal.model.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The primary's journal with a backlog of sealed segments, written once through the journal API
 * (transactions of 1 to 20 five-column rows, as the journal benchmark writes them) and then only
 * read. Segments are sealed by size only (age: a day), so reopening the journal for the push
 * supplier seals nothing new.
 *
 * @param dir the journal directory
 * @param sealed the sealed segment files, oldest first
 * @param bytes their total size
 * @param config how to open the journal again (keeps sealed segments: nothing is purged while the
 *     push supplier acknowledges)
 */
record Backlog(Path dir, List<Path> sealed, long bytes, JournalConfig config) {
  private static final TableId TABLE = new TableId("public", "orders");
  private static final List<Column> COLUMNS = List.of(new Column("id", "int8", 20), new Column("name", "text", 25),
      new Column("amount", "numeric", 1700), new Column("at", "timestamptz", 1184), new Column("payload", "bytea", 17));

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
    List<List<Change>> bodies = bodies(64);
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

  /** Distinct transaction bodies of 1 to 20 rows each, realistic values, fixed seed. */
  private static List<List<Change>> bodies(int count) {
    SplittableRandom random = new SplittableRandom(42);
    List<List<Change>> bodies = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      int rows = 1 + random.nextInt(20);
      List<Change> changes = new ArrayList<>(rows);
      for (int r = 0; r < rows; r++) {
        byte[] payload = new byte[32];
        random.nextBytes(payload);
        changes.add(new Change.Insert(TABLE, COLUMNS, List.of(new Value.Int64(random.nextLong(1, 1L << 40)),
            new Value.Text("customer " + random.nextInt(1_000_000)),
            new Value.Text(random.nextInt(100_000) + "." + random.nextInt(100)),
            new Value.Text("2026-11-21 06:" + (10 + random.nextInt(50)) + ":00.123456+00"), new Value.Bytes(payload))));
      }
      bodies.add(List.copyOf(changes));
    }
    return bodies;
  }
}
