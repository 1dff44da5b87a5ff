package dev.ferry.apply.sync;

import dev.ferry.journal.model.Side;
import java.nio.file.Path;

/**
 * A file of an export archive is missing, altered or malformed: nothing of the archive is loaded.
 * The message names the file and, for a checksum, the expected and actual SHA-256.
 */
public final class ArchiveCorruptException extends SyncException {
  private final Path path;

  public ArchiveCorruptException(Side side, Path path, String message) {
    super(side, message);
    this.path = path;
  }

  /** A file at fault, found before it is known which replica loads it (the message is taken as it is). */
  public ArchiveCorruptException(Path path, String message) {
    super(message, null);
    this.path = path;
  }

  /** The file at fault (or the archive directory when a file is missing from its list). */
  public Path path() {
    return path;
  }
}
