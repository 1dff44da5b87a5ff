package dev.ferry.apply.jdbc;

import dev.ferry.apply.Applier;
import dev.ferry.apply.ApplyConfig;
import dev.ferry.apply.ApplyException;
import dev.ferry.apply.RetriesExhaustedException;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.sql.SqlErrorKind;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * The retries of one group or large transaction: at most {@code maxAttempts} attempts, waiting
 * between them from the initial backoff, doubled each time up to the maximum. Only transient
 * errors (serialization failure, deadlock, a lost connection) are retried. One per attempt loop.
 */
final class RetryPolicy {
  private final ApplyConfig.Retry settings;
  private final Side side;
  private int attempt = 1;
  private Duration backoff;

  RetryPolicy(ApplyConfig.Retry settings, Side side) {
    this.settings = settings;
    this.side = side;
    this.backoff = settings.initialBackoff();
  }

  /** Whether another attempt may follow a transient error. */
  boolean mayRetry() {
    return attempt < settings.maxAttempts();
  }

  int attempt() {
    return attempt;
  }

  int maxAttempts() {
    return settings.maxAttempts();
  }

  long backoffMillis() {
    return backoff.toMillis();
  }

  /**
   * Sleeps the backoff and counts the next attempt; reconnects when the connection is gone. The
   * link shows meanwhile that it is retrying {@code error} (until the retried work commits).
   */
  void pause(SqlErrorKind kind, TargetLink link, String error) throws ApplyException {
    link.retrying(new Applier.Retrying(attempt, settings.maxAttempts(), error, Instant.now().plus(backoff)));
    pause();
    if (kind == SqlErrorKind.CONNECTION_LOST || !link.isValid()) {
      link.reconnect();
    }
  }

  /**
   * The failure to throw when no attempt may follow {@code error} of {@code kind}: a retryable
   * error met at every attempt is a {@link RetriesExhaustedException} (the replica stops), anything
   * else (a lost connection, a fatal error) a plain {@link ApplyException}.
   */
  static ApplyException giveUp(Side side, SqlErrorKind kind, String message, Gtid gtid, SQLException error) {
    return kind == SqlErrorKind.RETRYABLE ? new RetriesExhaustedException(side, message, gtid, error)
        : new ApplyException(side, message, gtid, error);
  }

  /** Sleeps the backoff, then counts the next attempt. */
  void pause() throws ApplyException {
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplyException(side, "interrupted while waiting to retry", null, e);
    }
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(settings.maxBackoff()) <= 0 ? doubled : settings.maxBackoff();
    attempt++;
  }
}
