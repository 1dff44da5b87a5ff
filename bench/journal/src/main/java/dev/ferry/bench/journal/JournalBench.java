package dev.ferry.bench.journal;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.fixtures.BenchRows;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Durable append throughput of the journal against a raw baseline that writes the same bytes per
 * transaction with {@code FileChannel.write} and {@code force} at the same group size, alternating
 * journal and baseline runs (A B A B …) so machine noise hits both alike; then read throughput of
 * what was written, twice: handing out every transaction and change (rows decode their values on
 * first access), then also materialising every value. Prints a Markdown table of medians and
 * paired ratios, the process CPU time per transaction on each side (all threads, GC and JIT
 * included: what the journal costs beyond the disk), and the load average before and after each
 * case, since the machine may be shared.
 *
 * <p>Usage: {@code JournalBench [--quick] [--dir DIR]}.
 */
public final class JournalBench {
  private static final TableId TABLE = new TableId("public", "bench");
  private static final List<Column> COLUMNS = BenchRows.COLUMNS;

  record Case(int rows, int producers) {}

  /** One timed run; {@code groupSize} is appends per {@code force} (the raw baseline uses the same). */
  record Run(double txPerSec, double mbPerSec, double bytesPerTx, double groupSize, double cpuMicrosPerTx) {}

  /** CPU time of this whole process (all threads, GC and JIT included), in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int dirAt = List.of(args).indexOf("--dir");
    Path base = dirAt >= 0 ? Path.of(args[dirAt + 1]) : Files.createTempDirectory("ferry-journal-bench-");
    Duration length = quick ? Duration.ofMillis(1500) : Duration.ofSeconds(2);
    // Short turns, many pairs: on a shared disk fsync latency drifts over seconds, and only turns
    // close in time compare alike (two raw turns 7 s apart once ran at 2325 and 1048 tx/s).
    int pairs = quick ? 2 : 7;
    List<Case> cases = new ArrayList<>();
    for (int rows : new int[] {1, 10, 1000}) {
      for (int producers : new int[] {1, 16}) {
        cases.add(new Case(rows, producers));
      }
    }
    System.out.printf(Locale.ROOT, "# journal benchmark: %d pairs of %s runs per case, dir %s, %s, %d cores%n%n",
        pairs, length, base, Runtime.version(), Runtime.getRuntime().availableProcessors());
    System.out.println("| rows/tx | producers | group size | journal tx/s | journal MB/s | raw tx/s | raw MB/s |"
        + " journal/raw (median, min–max) | read MB/s | read/write | read+values MB/s | read+values/write |"
        + " CPU µs/tx journal | CPU µs/tx raw | load avg |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Case c : cases) {
      double loadBefore = loadAverage();
      List<Run> journal = new ArrayList<>();
      List<Run> raw = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      double readMb = 0;
      double readValuesMb = 0;
      for (int pair = 0; pair < pairs; pair++) {
        Path dir = Files.createDirectories(base.resolve("j-" + c.rows() + "-" + c.producers() + "-" + pair));
        Run j = runJournal(dir, c, length);
        int group = (int) Math.max(1, Math.round(j.groupSize()));
        Run r = RawBaseline.run(base.resolve("raw-" + pair), (int) Math.round(j.bytesPerTx()), group, length);
        journal.add(j);
        raw.add(r);
        ratios.add(j.mbPerSec() / r.mbPerSec());
        readMb = Math.max(readMb, readAll(dir, false));
        readValuesMb = Math.max(readValuesMb, readAll(dir, true));
        deleteTree(dir);
      }
      double jMb = median(journal.stream().map(Run::mbPerSec).toList());
      System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.0f | %.1f | %.0f | %.1f | %.2f (%.2f–%.2f) | %.0f | %.1f× | %.0f | %.1f× | %.0f | %.0f | %.1f–%.1f |%n",
          c.rows(), c.producers(), median(journal.stream().map(Run::groupSize).toList()),
          median(journal.stream().map(Run::txPerSec).toList()), jMb,
          median(raw.stream().map(Run::txPerSec).toList()), median(raw.stream().map(Run::mbPerSec).toList()),
          median(ratios), ratios.stream().mapToDouble(d -> d).min().orElse(0),
          ratios.stream().mapToDouble(d -> d).max().orElse(0), readMb, readMb / jMb, readValuesMb,
          readValuesMb / jMb, median(journal.stream().map(Run::cpuMicrosPerTx).toList()),
          median(raw.stream().map(Run::cpuMicrosPerTx).toList()), loadBefore, loadAverage());
    }
    deleteTree(base);
  }

  /** Producers append synchronously (each waits for its fsync) for {@code length}. */
  static Run runJournal(Path dir, Case c, Duration length) throws Exception {
    List<List<Change>> bodies = bodies(c.rows(), 32);
    AtomicLong seq = new AtomicLong();
    AtomicLong done = new AtomicLong();
    try (Journal journal = Journal.open(JournalConfig.defaults(dir))) {
      warmUp(journal, bodies, seq);
      long startBytes = directoryBytes(dir);
      long startDone = done.get();
      long startGroups = journal.groupCommits();
      long startCpu = processCpuNanos();
      long start = System.nanoTime();
      long end = start + length.toNanos();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < c.producers(); p++) {
        int offset = p;
        threads.add(Thread.ofPlatform().start(() -> {
          int i = offset;
          while (System.nanoTime() < end) {
            append(journal, bodies.get(i++ % bodies.size()), seq);
            done.incrementAndGet();
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpu = processCpuNanos() - startCpu;
      long txs = done.get() - startDone;
      long bytes = directoryBytes(dir) - startBytes;
      long groups = Math.max(1, journal.groupCommits() - startGroups);
      return new Run(txs / seconds, bytes / seconds / 1e6, (double) bytes / txs, (double) txs / groups,
          cpu / 1e3 / txs);
    }
  }

  private static void warmUp(Journal journal, List<List<Change>> bodies, AtomicLong seq) {
    long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      append(journal, bodies.get(i % bodies.size()), seq);
    }
  }

  private static void append(Journal journal, List<Change> body, AtomicLong seq) {
    long s = seq.incrementAndGet();
    Transaction tx = new Transaction(new Gtid(0, 1, s), Instant.ofEpochSecond(1_700_000_000L, s), 1,
        SourcePosition.changeId(s), body);
    journal.append(tx).join();
  }

  /**
   * Reads every transaction and change back; returns MB/s of journal bytes read. With
   * {@code values}, also materialises every value of every row (rows read from a journal decode
   * their values on first access, as a consumer binding them would); without, values stay encoded.
   */
  static double readAll(Path dir, boolean values) throws IOException, InterruptedException {
    long bytes = directoryBytes(dir);
    long start = System.nanoTime();
    long changes = 0;
    long decoded = 0;
    try (JournalReader reader = JournalReader.openAtOldest(dir)) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent()) {
        try (ChangeCursor cursor = tx.get().changes()) {
          while (cursor.advance()) {
            changes++;
            if (values && cursor.current() instanceof Change.Insert insert) {
              for (Value v : insert.row()) {
                decoded += v instanceof Value.Null ? 0 : 1;
              }
            }
          }
        }
      }
    }
    if (changes == 0 || (values && decoded != changes * COLUMNS.size())) {
      throw new IllegalStateException("read back " + changes + " changes and " + decoded + " values from " + dir);
    }
    return bytes / ((System.nanoTime() - start) / 1e9) / 1e6;
  }

  /** Distinct transaction bodies of {@code rows} rows each, realistic values, fixed seed. */
  static List<List<Change>> bodies(int rows, int count) {
    return BenchRows.bodies(TABLE, count, rows, rows);
  }

  static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
