package dev.ferry.apply.sync;

import java.io.IOException;

/**
 * Initial sync, an export or a load could not finish. The message names the replica or archive,
 * the table and the database's error; what was copied so far is not usable as a replica (a new
 * seed starts over).
 */
public class SyncException extends IOException {
  public SyncException(String message) {
    super(message);
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
