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
 * An exclusive OS lock ({@code flock}) on one file, held until {@link #close()}: the journal's
 * {@code journal.lock} and the node's per-replica locks. The OS drops it with the process, so a
 * {@code kill -9} leaves nothing to clean. Thread-safe.
 */
public final class FileLockHold implements Closeable {
  private final FileChannel channel;
  private final FileLock lock;

  private FileLockHold(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks {@code file} (created, with its directory, if missing); empty when this or another process holds it. */
  public static Optional<FileLockHold> tryHold(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
    return Optional.of(new FileLockHold(channel, lock));
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
