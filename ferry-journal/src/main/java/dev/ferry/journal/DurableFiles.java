package dev.ferry.journal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one recipe for durable state: write {@code <name>.tmp} → fsync it → rename it atomically over
 * {@code <name>} → fsync the directory. After a crash at any point the target is either its old
 * content (or absent) or its whole new content, never a mix; a left-over {@code .tmp} file is
 * garbage that its owner removes on open (the journal does so in recovery).
 *
 * <p>Used by segment sealing, the journal's small state files, archive copies, export archives and
 * the node's status file. Thread-safe (stateless); two writers of the same target must not run at
 * once, as they share the temporary file.
 */
public final class DurableFiles {
  /** The suffix of a file being written durably, before its rename. */
  public static final String TMP_SUFFIX = ".tmp";

  private static final int STREAM_BUFFER = 1 << 16;

  /** Writes the bytes of a durable file through its channel. */
  @FunctionalInterface
  public interface ChannelContent<E extends Exception> {
    void writeTo(FileChannel channel) throws IOException, E;
  }

  /** Writes the bytes of a durable file to a stream (buffered; flushed by the recipe). */
  @FunctionalInterface
  public interface StreamContent<E extends Exception> {
    void writeTo(OutputStream out) throws IOException, E;
  }

  private DurableFiles() {
  }

  /** The temporary file that {@code target} is written to before its rename. */
  public static Path tempFileOf(Path target) {
    return target.resolveSibling(target.getFileName() + TMP_SUFFIX);
  }

  /** Writes {@code content} to {@code target} so that after a crash it is either old or new. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, channel -> writeFully(channel, ByteBuffer.wrap(content)));
  }

  /**
   * Writes {@code target} from a stream so that after a crash it is either old or new. If
   * {@code content} throws, the temporary file is deleted and {@code target} is unchanged.
   */
  public static <E extends Exception> void writeStream(Path target, StreamContent<E> content)
      throws IOException, E {
    write(target, channel -> {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), STREAM_BUFFER);
      content.writeTo(out);
      out.flush();
    });
  }

  /** Copies {@code source} to {@code target} (in another directory or not) durably. */
  public static void copy(Path source, Path target) throws IOException {
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      write(target, out -> {
        long size = in.size();
        long copied = 0;
        while (copied < size) {
          copied += in.transferTo(copied, size - copied, out);
        }
      });
    }
  }

  /**
   * Writes {@code target} through a channel so that after a crash it is either old or new. If
   * {@code content} throws, the temporary file is deleted and {@code target} is unchanged.
   */
  public static <E extends Exception> void write(Path target, ChannelContent<E> content) throws IOException, E {
    Path tmp = tempFileOf(target);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      content.writeTo(channel);
      channel.force(true);
    } catch (Throwable e) {
      deleteAfterFailure(tmp, e);
      throw e;
    }
    rename(tmp, target);
  }

  /** Renames atomically (replacing {@code to}) and fsyncs the directories of both names. */
  public static void rename(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
    }
    Path toDir = to.toAbsolutePath().getParent();
    Path fromDir = from.toAbsolutePath().getParent();
    fsyncDirectory(toDir);
    if (!fromDir.equals(toDir)) {
      fsyncDirectory(fromDir);
    }
  }

  /** Forces a directory's entries (a created, renamed or deleted name) to disk. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  private static void deleteAfterFailure(Path tmp, Throwable cause) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
