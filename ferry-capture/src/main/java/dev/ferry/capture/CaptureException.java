package dev.ferry.capture;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Sided;
import java.io.IOException;
import java.util.Optional;

/**
 * Capture cannot go on (or setup cannot be done) for a reason an operator must fix: bad source
 * settings, a missing slot or publication, a slot in use elsewhere. The message starts with the
 * source's {@link Side} ({@code [source primary] …}, carried as a value by {@link #side()}), names
 * the setting or object and says what to run. Retryable trouble (a lost connection) is not
 * reported this way but retried.
 */
public class CaptureException extends IOException implements Sided {
  private final transient Side side;

  public CaptureException(String source, String message) {
    this(Side.source(source), message, null);
  }

  public CaptureException(String source, String message, Throwable cause) {
    this(Side.source(source), message, cause);
  }

  /** A failure of source {@code side}; the message is {@code side}'s prefix, then {@code message}. */
  public CaptureException(Side side, String message, Throwable cause) {
    super(side.prefix(message), cause);
    this.side = side;
  }

  /** The configured name of the source. */
  public String source() {
    return side.name();
  }

  @Override
  public Optional<Side> side() {
    return Optional.of(side);
  }
}
