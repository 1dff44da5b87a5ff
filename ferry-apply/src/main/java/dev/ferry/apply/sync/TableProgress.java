package dev.ferry.apply.sync;

import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of an export or a load, one line per finished table: tables and rows done so far and
 * the rate. Logged to {@value #LOGGER}, which the command line shows even when it is otherwise
 * quiet. Thread-safe: export workers report from their own threads.
 */
final class TableProgress {
  /** The logger name; a short command shows it at INFO. */
  static final String LOGGER = "ferry.progress";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private final String prefix;
  private final String verb;
  private final CopyProgress figures;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param figures the live figures this progress counts into; a watcher was given them
   */
  TableProgress(String prefix, String verb, CopyProgress figures) {
    this.prefix = prefix;
    this.verb = verb;
    this.figures = figures;
  }

  /** One table done: {@code tableRows} rows, {@code tableBytes} bytes of its file. */
  void tableDone(Object table, long tableRows, long tableBytes) {
    CopyProgress.Snapshot now;
    lock.lock(); // the line's totals are those right after this table
    try {
      figures.addRows(tableRows);
      figures.addBytes(tableBytes);
      figures.tableDone();
      now = figures.snapshot();
    } finally {
      lock.unlock();
    }
    log.info(String.format(Locale.ROOT, "%s%s %s: %,d rows (%d/%d tables, %,d rows, %,.0f rows/s)", prefix, verb,
        table, tableRows, now.tablesDone(), now.tables(), now.rows(), now.rowsPerSecond()));
  }
}
