package dev.ferry.journal;

import java.io.IOException;

/**
 * The journal's writer met an I/O error earlier and refuses every append until the journal is
 * reopened (a failed fsync is never retried: the kernel may have dropped the dirty pages). The
 * cause is the original error.
 */
public class JournalFailedException extends IOException {
  public JournalFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
