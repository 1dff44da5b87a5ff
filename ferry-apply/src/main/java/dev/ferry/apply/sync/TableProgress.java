package dev.ferry.apply.sync;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
  private final int totalTables;
  private final long started = System.nanoTime();
  private final AtomicInteger tables = new AtomicInteger();
  private final AtomicLong rows = new AtomicLong();

  TableProgress(String prefix, String verb, int totalTables) {
    this.prefix = prefix;
    this.verb = verb;
    this.totalTables = totalTables;
  }

  void tableDone(Object table, long tableRows) {
    int t = tables.incrementAndGet();
    long r = rows.addAndGet(tableRows);
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    log.info(String.format(Locale.ROOT, "%s%s %s: %,d rows (%d/%d tables, %,d rows, %,.0f rows/s)", prefix, verb,
        table, tableRows, t, totalTables, r, r / seconds));
  }
}
