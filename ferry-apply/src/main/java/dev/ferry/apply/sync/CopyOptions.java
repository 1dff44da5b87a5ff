package dev.ferry.apply.sync;

import java.io.PrintStream;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a copy runs. Immutable.
 *
 * @param parallelism COPY streams at once (source session + target connection each); default 4.
 *     A SQLite target takes one writer, so it uses one stream whatever this says
 * @param chunkRows a table with more (estimated) rows is split into ranges of physical pages
 *     ({@code ctid}) of about this many rows, copied in parallel; default 250 000
 * @param progress where the one-line progress (rows, rate, ETA) goes; default standard error
 * @param watcher given each copy's live figures when it starts (a node shows them in its status);
 *     default none
 */
public record CopyOptions(int parallelism, long chunkRows, Optional<PrintStream> progress,
    Consumer<CopyProgress> watcher) {
  public static final CopyOptions DEFAULTS = new CopyOptions(4, 250_000, Optional.of(System.err));

  /** Options whose copies no one watches but the progress line. */
  public CopyOptions(int parallelism, long chunkRows, Optional<PrintStream> progress) {
    this(parallelism, chunkRows, progress, p -> { });
  }

  /** These options, with each copy's figures given to {@code newWatcher}. */
  public CopyOptions watchedBy(Consumer<CopyProgress> newWatcher) {
    return new CopyOptions(parallelism, chunkRows, progress, newWatcher);
  }

  public CopyOptions {
    if (parallelism < 1 || parallelism > 64) {
      throw new IllegalArgumentException("parallelism must be 1 to 64, got " + parallelism);
    }
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
    }
    if (progress == null) {
      throw new IllegalArgumentException("progress must not be null (Optional.empty() for none)");
    }
    if (watcher == null) {
      throw new IllegalArgumentException("watcher must not be null");
    }
  }
}
