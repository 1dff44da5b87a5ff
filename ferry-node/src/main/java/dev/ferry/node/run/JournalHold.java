package dev.ferry.node.run;

import dev.ferry.journal.SegmentFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A journal directory's {@code journal.lock} held by an operator's command ({@code ferry promote},
 * {@code ferry skip}) while it works, so that {@code ferry run} of the node neither runs nor starts
 * meanwhile. Released by {@link #close()}. Not thread-safe.
 */
public final class JournalHold implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private JournalHold(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock of the journal in {@code dir}; empty while another process (or this one) holds it. */
  public static Optional<JournalHold> tryHold(Path dir) throws IOException {
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
    return Optional.of(new JournalHold(channel, lock));
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
