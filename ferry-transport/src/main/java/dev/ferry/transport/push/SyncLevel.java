package dev.ferry.transport.push;

import java.util.Locale;

/** How far a synchronous replica must have a transaction before the source's commit may return. */
public enum SyncLevel {
  /** Not synchronous: the source never waits for it. */
  NONE,
  /** Durable in the replica node's journal copy (PostgreSQL's {@code remote_write}, but fsynced). */
  RECEIVE,
  /** Committed on the replica node's targets (PostgreSQL's {@code remote_apply}). */
  APPLY;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return text();
  }
}
