package dev.ferry.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code journal.lock}, held by the one writer of a journal directory: a {@link Journal} or a
 * {@link JournalIngest}. Released by {@link #close()}. Thread-safe.
 */
final class WriterLock implements Closeable {
  private final FileLockHold hold;

  private WriterLock(FileLockHold hold) {
    this.hold = hold;
  }

  /**
   * Locks {@code dir} for writing, creating it if missing.
   *
   * @throws IOException if this or another process holds it
   */
  static WriterLock acquire(Path dir) throws IOException {
    return tryAcquire(dir).orElseThrow(() -> new IOException("journal " + dir
        + " is already open for writing (by this or another process)"));
  }

  /** Locks {@code dir} for writing, creating it if missing; empty if this or another process holds it. */
  static Optional<WriterLock> tryAcquire(Path dir) throws IOException {
    return FileLockHold.tryHold(SegmentFiles.lockFile(dir)).map(WriterLock::new);
  }

  @Override
  public void close() throws IOException {
    hold.close();
  }
}
