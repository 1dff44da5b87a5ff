package dev.ferry.sql;

/**
 * What an SQL error means for the one who met it, as far as the database tells: decided by
 * SQLSTATE (or a SQLite result code), never by message text. Each caller decides what to do
 * about a kind: apply retries {@link #RETRYABLE} and {@link #CONNECTION_LOST}; capture reconnects
 * after {@link #CONNECTION_LOST} and waits out {@link #OBJECT_IN_USE}; everything else stops them.
 */
public enum SqlErrorKind {
  /** Serialization failure, deadlock, a lock not available, a busy SQLite file: the same work may succeed if tried again. */
  RETRYABLE,
  /** The connection broke, the server is shutting down, starting up or full: reconnect (with backoff), then try again. */
  CONNECTION_LOST,
  /** An integrity constraint was violated (PostgreSQL class 23). */
  CONSTRAINT,
  /** An object is in use by another session (PostgreSQL 55006), e.g. a replication slot streaming to another process. */
  OBJECT_IN_USE,
  /** An object does not exist (PostgreSQL 42704), e.g. a dropped replication slot or publication. */
  UNDEFINED_OBJECT,
  /** Anything else: needs a person. */
  FATAL;

  /** Whether trying again later, after a reconnect if needed, may succeed without anyone changing anything. */
  public boolean isTransient() {
    return this == RETRYABLE || this == CONNECTION_LOST;
  }
}
