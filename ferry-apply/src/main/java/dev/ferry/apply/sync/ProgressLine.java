package dev.ferry.apply.sync;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress display: tables done, rows copied of the estimate, rate and ETA. Redrawn in
 * place ({@code \r}) at most twice a second on a terminal, a new line every 5 s otherwise.
 * Counters are thread-safe; drawing happens on its own daemon thread.
 */
final class ProgressLine implements AutoCloseable {
  private final Optional<PrintStream> out;
  private final String prefix;
  private final long totalRows;
  private final int totalTables;
  private final boolean terminal = System.console() != null;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicInteger tablesDone = new AtomicInteger();
  private final long started = System.nanoTime();
  private final Thread drawer;
  private volatile boolean stopped;

  ProgressLine(Optional<PrintStream> out, String prefix, long totalRows, int totalTables) {
    this.out = out;
    this.prefix = prefix;
    this.totalRows = totalRows;
    this.totalTables = totalTables;
    this.drawer = Thread.ofPlatform().daemon().name("ferry-sync-progress").unstarted(this::drawLoop);
    if (out.isPresent()) {
      drawer.start();
    }
  }

  void addRows(long n) {
    rows.addAndGet(n);
  }

  void tableDone() {
    tablesDone.incrementAndGet();
  }

  private void drawLoop() {
    long every = terminal ? 500 : 5000;
    while (!stopped) {
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return;
      }
      if (!stopped) {
        draw(false);
      }
    }
  }

  private void draw(boolean last) {
    if (out.isEmpty()) {
      return;
    }
    PrintStream o = out.get();
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    long done = rows.get();
    double rate = done / seconds;
    long total = Math.max(totalRows, done);
    String eta = last ? "done" : rate <= 0 || totalRows <= 0 ? "ETA ?" : "ETA " + clock((total - done) / rate);
    String pct = total == 0 ? "" : String.format(Locale.ROOT, " (%d%%)", done * 100 / total);
    String line = String.format(Locale.ROOT, "%sinitial sync: %d/%d tables, %,d/%,d rows%s, %,.0f rows/s, %s, %s",
        prefix, tablesDone.get(), totalTables, done, total, pct, rate, clock(seconds), eta);
    o.print(terminal ? "\r" + line + (last ? "\n" : "") : line + "\n");
    o.flush();
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() {
    stopped = true;
    drawer.interrupt();
    draw(true);
  }
}
