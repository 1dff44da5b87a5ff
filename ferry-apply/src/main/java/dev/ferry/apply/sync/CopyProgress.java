package dev.ferry.apply.sync;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live figures of one copy from a snapshot, an export or a load: tables and rows (and, where
 * counted, bytes) done of the estimate, and the rate they went at. The copy's streams count into
 * it; a watcher ({@link CopyOptions#watcher()}, the node's status, an operation's status file)
 * reads {@link #snapshot()} from any thread. Thread-safe.
 */
public final class CopyProgress {
  private final long estimatedRows;
  private final int tables;
  private final long started = System.nanoTime();
  private final long estimatedBytes;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicInteger tablesDone = new AtomicInteger();

  CopyProgress(long estimatedRows, int tables) {
    this(estimatedRows, 0, tables);
  }

  /** Figures of {@code tables} tables of about {@code estimatedRows} rows and {@code estimatedBytes} bytes (0: not known). */
  CopyProgress(long estimatedRows, long estimatedBytes, int tables) {
    this.estimatedRows = Math.max(0, estimatedRows);
    this.estimatedBytes = Math.max(0, estimatedBytes);
    this.tables = tables;
  }

  void addRows(long n) {
    rows.addAndGet(n);
  }

  void addBytes(long n) {
    bytes.addAndGet(n);
  }

  void tableDone() {
    tablesDone.incrementAndGet();
  }

  /** The figures now. */
  public Snapshot snapshot() {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    long done = rows.get();
    double rate = done / seconds;
    long total = Math.max(estimatedRows, done);
    OptionalLong eta = rate <= 0 || estimatedRows <= 0 ? OptionalLong.empty()
        : OptionalLong.of(Math.round((total - done) / rate));
    long bytesDone = bytes.get();
    return new Snapshot(tablesDone.get(), tables, done, total, rate, Math.round(seconds), eta, bytesDone,
        estimatedBytes == 0 ? 0 : Math.max(estimatedBytes, bytesDone), bytesDone / seconds);
  }

  /**
   * @param tablesDone tables copied completely
   * @param tables tables to copy
   * @param rows rows copied so far
   * @param estimatedRows the source's estimate of all rows to copy (its statistics), at least
   *     {@code rows}
   * @param rowsPerSecond rows copied per second since the copy started
   * @param elapsedSeconds seconds since the copy started
   * @param etaSeconds seconds left at that rate, when there is an estimate and a rate
   * @param bytes bytes written or read so far, where the operation counts them (an export's
   *     files, a load's); 0 where it does not (a copy from a snapshot)
   * @param estimatedBytes bytes in all, when known (a load: its archive's files), at least
   *     {@code bytes}; 0 when not known
   * @param bytesPerSecond bytes per second since the start
   */
  public record Snapshot(int tablesDone, int tables, long rows, long estimatedRows, double rowsPerSecond,
      long elapsedSeconds, OptionalLong etaSeconds, long bytes, long estimatedBytes, double bytesPerSecond) {
    /** The share of the estimated rows copied, 0 to 100. */
    public int percent() {
      return estimatedRows == 0 ? 0 : (int) (rows * 100 / estimatedRows);
    }
  }
}
