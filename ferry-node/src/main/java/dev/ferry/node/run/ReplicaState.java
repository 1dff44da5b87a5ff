package dev.ferry.node.run;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a replica is doing, as {@code ferry status} shows it. The first nine are states of a replica
 * a process applies; the last two are what {@code ferry status} reads when none does.
 */
public enum ReplicaState {
  STARTING,
  /** Being seeded from a snapshot of the source. */
  SEEDING,
  STREAMING,
  /** Streaming, but its applier is retrying a transient error (a deadlock, a lock timeout, a lost connection). */
  RETRYING,
  /** Lost its target; tries again at {@code nextTry}. */
  RECONNECTING,
  /**
   * Paused between transactions by {@code ferry suspend} or the admin API (everything applied is
   * committed) until resumed; kept across restarts.
   */
  SUSPENDED,
  /** Stopped right after its {@code until} GTID or tag (lastError says which); stays until the setting changes. */
  PAUSED,
  /** Holding the next transaction back until its commit time plus the replica's {@code delay}. */
  DELAYED,
  STOPPED,
  /** Stopped on an error a person must fix. */
  FAILED,
  /** Has no progress row of this journal. */
  NEVER_STARTED,
  /** Its progress row cannot be read. */
  UNREACHABLE;

  /**
   * Whether a replica in this state applies the journal as fast as it can (streaming, or riding out
   * an error): the states in which it catches up when behind. Not while seeded, held by an
   * operator's control or stopped.
   */
  public boolean catchesUp() {
    return this == STREAMING || this == RETRYING || this == RECONNECTING;
  }

  /** The status text: the name in lower case, words apart ({@code never started}). */
  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  @Override
  public String toString() {
    return text();
  }
}
