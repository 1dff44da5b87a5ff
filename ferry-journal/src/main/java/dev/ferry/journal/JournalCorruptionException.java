package dev.ferry.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Bytes in the journal that are not what was written: a checksum mismatch, an impossible length
 * or a record that does not decode, in a segment where a torn write cannot explain it. Fatal for
 * the reader that meets it: nothing after it is handed out.
 */
public class JournalCorruptionException extends IOException {
  private final transient Path path;
  private final long offset;

  public JournalCorruptionException(Path path, long offset, String message) {
    super(path + " at offset " + offset + ": " + message);
    this.path = path;
    this.offset = offset;
  }

  /** The segment file. */
  public Path path() {
    return path;
  }

  /** The byte offset in the file of the bad record (or of the header field). */
  public long offset() {
    return offset;
  }
}
