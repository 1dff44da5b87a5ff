package dev.ferry.journal.model;

import java.util.Optional;

/**
 * A failure that belongs to one {@link Side}: the exceptions capture, apply, initial sync and the
 * node throw carry it as a value, so a caller that must know where a failure happened (the
 * command line's advice names the setting to fix) reads the side, not the message.
 */
public interface Sided {
  /** The side the failure belongs to; empty when it belongs to none. */
  Optional<Side> side();
}
