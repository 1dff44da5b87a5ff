package dev.ferry.node.run;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of what a node is doing, as {@code ferry status} shows it. Immutable.
 *
 * @param time when the snapshot was taken
 * @param source the source side, if this process captures
 * @param journal the journal's head
 * @param replicas every replica this process applies
 */
public record NodeStatus(Instant time, Optional<Source> source, Journal journal, List<Replica> replicas) {
  public NodeStatus {
    replicas = List.copyOf(replicas);
  }

  /**
   * @param name the source's name
   * @param kind {@code postgresql} or {@code sqlite}
   * @param state {@code streaming}, {@code starting} or {@code failed}
   * @param position the source position confirmed durable (PostgreSQL: the slot's LSN), if known
   * @param captured transactions captured by this process
   * @param lastError what stopped capture
   * @param retainedWalBytes PostgreSQL: WAL the source keeps for Ferry's slot
   *     ({@code pg_current_wal_lsn() - restart_lsn}), if read
   */
  public record Source(String name, String kind, String state, Optional<String> position, long captured,
      Optional<String> lastError, Optional<Long> retainedWalBytes) {
    public Source withState(String newState) {
      return new Source(name, kind, newState, position, captured, lastError, retainedWalBytes);
    }

    public Source withRetainedWalBytes(Optional<Long> bytes) {
      return new Source(name, kind, state, position, captured, lastError, bytes);
    }
  }

  /**
   * @param dir the journal directory
   * @param id its UUID
   * @param lastGtid the newest durable transaction, if known
   * @param lastCommitTime its source commit time
   */
  public record Journal(String dir, String id, Optional<String> lastGtid, Optional<Instant> lastCommitTime) {}

  /**
   * @param name the replica's name
   * @param state {@code starting}, {@code seeding}, {@code streaming}, {@code reconnecting},
   *     {@code stopped} or {@code failed}
   * @param appliedGtid the newest GTID the replica committed, if known
   * @param lagTransactions transactions in the journal not yet applied
   * @param lagBytes journal bytes not yet applied
   * @param lagSeconds source commit time of the journal's head minus that of the last applied
   * @param applied transactions applied by this process
   * @param lastError what stopped the replica, or (while {@code reconnecting}) the last outage
   * @param position the journal position after the last applied transaction, if known
   * @param appliedCommitTime source commit time of the last applied transaction, if known
   * @param nextTry when a {@code reconnecting} replica tries again
   */
  public record Replica(String name, String state, Optional<String> appliedGtid, long lagTransactions, long lagBytes,
      double lagSeconds, long applied, Optional<String> lastError, Optional<String> position,
      Optional<Instant> appliedCommitTime, Optional<Instant> nextTry) {
    public Replica withState(String newState) {
      return new Replica(name, newState, appliedGtid, lagTransactions, lagBytes, lagSeconds, applied, lastError,
          position, appliedCommitTime, nextTry);
    }

    public Replica withLag(long transactions, long bytes, double seconds) {
      return new Replica(name, state, appliedGtid, transactions, bytes, seconds, applied, lastError, position,
          appliedCommitTime, nextTry);
    }
  }
}
