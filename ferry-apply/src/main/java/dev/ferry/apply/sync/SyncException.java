package dev.ferry.apply.sync;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Sided;
import java.io.IOException;
import java.util.Optional;

/**
 * Initial sync, an export or a load could not finish. The message names the replica or archive
 * (its {@link Side}, which {@link #side()} carries as a value), the table and the database's
 * error; what was copied so far is not usable as a replica (a new seed starts over).
 */
public class SyncException extends IOException implements Sided {
  private final transient Side side;

  /** A failure of {@code side}; the message is {@code side}'s prefix, then {@code message}. */
  public SyncException(Side side, String message) {
    super(side.prefix(message));
    this.side = side;
  }

  /** A failure of {@code side}; the message is {@code side}'s prefix, then {@code message}. */
  public SyncException(Side side, String message, Throwable cause) {
    super(side.prefix(message), cause);
    this.side = side;
  }

  /** A failure whose message is taken as it is: it repeats a cause's, which names the side. */
  public SyncException(String message, Throwable cause) {
    super(message, cause);
    this.side = null;
  }

  @Override
  public Optional<Side> side() {
    return Optional.ofNullable(side);
  }
}
