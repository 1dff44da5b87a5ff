package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;

/**
 * A transaction met a retryable error — a deadlock, a serialization failure, a lock not
 * available, a busy SQLite file — at every one of its attempts ({@code ApplyConfig.Retry}). That
 * is no outage of the target (the target answered every time), so the replica stops, naming the
 * GTID, instead of reconnecting forever; nothing of the transaction is committed and a restart
 * resumes at it. A lost connection that outlasts the attempts is an outage, not this.
 */
public final class RetriesExhaustedException extends ApplyException {
  public RetriesExhaustedException(Side side, String message, Gtid gtid, Throwable cause) {
    super(side, message, gtid, cause);
  }
}
