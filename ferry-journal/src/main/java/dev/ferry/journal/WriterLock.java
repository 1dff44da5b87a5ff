package dev.ferry.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code journal.lock}, held by the one writer of a journal directory: a {@link Journal} or a
 * {@link JournalIngest}. Released by {@link #close()}. Thread-safe.
 */
final class WriterLock implements Closeable {
  private final FileChannel channel;
  private final FileLock lock;

  private WriterLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
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
    Files.createDirectories(dir);
    FileChannel channel = FileChannel.open(SegmentFiles.lockFile(dir), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    return Optional.of(new WriterLock(channel, lock));
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
