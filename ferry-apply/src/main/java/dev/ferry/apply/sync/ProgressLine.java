package dev.ferry.apply.sync;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;

/**
 * A one-line progress display: tables done, rows copied of the estimate, rate and ETA. Redrawn in
 * place ({@code \r}) at most twice a second on a terminal, a new line every 5 s otherwise.
 * Counters are thread-safe; drawing happens on its own daemon thread.
 */
final class ProgressLine implements AutoCloseable {
  private final Optional<PrintStream> out;
  private final String prefix;
  private final CopyProgress progress;
  private final boolean terminal = System.console() != null;
  private final Thread drawer;
  private volatile boolean stopped;

  /** A line for a copy of {@code totalTables} tables of about {@code totalRows} rows; the watcher sees it too. */
  ProgressLine(CopyOptions options, String prefix, long totalRows, int totalTables) {
    this.out = options.progress();
    this.prefix = prefix;
    this.progress = new CopyProgress(totalRows, totalTables);
    this.drawer = Thread.ofPlatform().daemon().name("ferry-sync-progress").unstarted(this::drawLoop);
    options.watcher().accept(progress);
    if (out.isPresent()) {
      drawer.start();
    }
  }

  void addRows(long n) {
    progress.addRows(n);
  }

  void tableDone() {
    progress.tableDone();
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
    CopyProgress.Snapshot now = progress.snapshot();
    String eta = last ? "done" : now.etaSeconds().isEmpty() ? "ETA ?" : "ETA " + clock(now.etaSeconds().getAsLong());
    String pct = now.estimatedRows() == 0 ? "" : String.format(Locale.ROOT, " (%d%%)", now.percent());
    String line = String.format(Locale.ROOT, "%sinitial sync: %d/%d tables, %,d/%,d rows%s, %,.0f rows/s, %s, %s",
        prefix, now.tablesDone(), now.tables(), now.rows(), now.estimatedRows(), pct, now.rowsPerSecond(),
        clock(now.elapsedSeconds()), eta);
    o.print(terminal ? "\r" + line + (last ? "\n" : "") : line + "\n");
    o.flush();
  }

  private static String clock(long s) {
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() {
    stopped = true;
    drawer.interrupt();
    draw(true);
  }
}
