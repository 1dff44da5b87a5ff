package dev.ferry.journal.model;

import java.io.IOException;
import java.util.Optional;

/**
 * An I/O failure of one {@link Side} that has no more specific exception: its message is the
 * side's prefix, then what went wrong ({@code [replica r1] cannot connect (…): …}), and
 * {@link #side()} carries the side as a value.
 */
public class SideException extends IOException implements Sided {
  private final transient Side side;

  public SideException(Side side, String message) {
    this(side, message, null);
  }

  public SideException(Side side, String message, Throwable cause) {
    super(side.prefix(message), cause);
    this.side = side;
  }

  @Override
  public Optional<Side> side() {
    return Optional.of(side);
  }
}
