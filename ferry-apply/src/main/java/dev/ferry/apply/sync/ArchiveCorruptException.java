package dev.ferry.apply.sync;

import java.nio.file.Path;

/**
 * A file of an export archive is missing, altered or malformed: nothing of the archive is loaded.
 * The message names the file and, for a checksum, the expected and actual SHA-256.
 */
public final class ArchiveCorruptException extends SyncException {
  private final Path path;

  public ArchiveCorruptException(Path path, String message) {
    super(message);
    this.path = path;
  }

  /** The file at fault (or the archive directory when a file is missing from its list). */
  public Path path() {
    return path;
  }
}
