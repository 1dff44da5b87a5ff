package dev.ferry.apply;

import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Replays source transactions into one target database exactly once, in the order given.
 *
 * <p>Each source transaction's changes and the replica's progress row ({@code replication_control}:
 * applied GTID set, journal position, schema sequence, last commit time) are committed in the same
 * target transaction, so a crash at any moment neither duplicates nor skips a transaction: on
 * start the applier reads the row and skips every transaction whose GTID it holds. Several source
 * transactions may share one target transaction ({@link ApplyConfig.Grouping}); one is never
 * split.
 *
 * <p>Not thread-safe: one thread drives an applier. Arguments and results are never null.
 */
public interface Applier extends AutoCloseable {
  /**
   * Applies {@code transaction} into the open group, committing the group when it reaches a
   * bound. When this returns the transaction may still be uncommitted: call {@link #flush()} when
   * the stream idles. A transaction already applied is skipped.
   *
   * @throws ApplyException if the replica must stop; the failed transaction and everything after
   *     it in its group are not committed, earlier ones are
   */
  void apply(Transaction transaction) throws ApplyException;

  /** As {@link #apply(Transaction)}, recording {@code journalPosition} as the position after it. */
  void apply(Transaction transaction, JournalPosition journalPosition) throws ApplyException;

  /**
   * As {@link #apply(Transaction, JournalPosition)} for a transaction read from the journal, which may be
   * too large to hold in memory (a chunked one): an implementation may apply it from its cursor
   * in its own target transaction, after committing the open group. This default reads it whole.
   */
  default void apply(JournalTransaction transaction, JournalPosition journalPosition) throws ApplyException {
    Transaction whole;
    try {
      whole = transaction.toTransaction();
    } catch (IOException e) {
      throw new ApplyException("cannot read " + transaction.gtid() + " from the journal: " + e.getMessage(),
          transaction.gtid(), e);
    }
    apply(whole, journalPosition);
  }

  /** Applies every transaction of {@code transactions}, then {@link #flush()}es. */
  default void applyAll(Iterator<Transaction> transactions) throws ApplyException {
    while (transactions.hasNext()) {
      apply(transactions.next());
    }
    flush();
  }

  /** Commits the open group, if any. */
  void flush() throws ApplyException;

  /**
   * Makes every commit of a group wait at {@code gate} until the journal is durable up to the
   * group's last transaction, so the caller may hand over transactions the journal has written but
   * not yet forced; false (the default) if this applier cannot, and must be handed durable ones only.
   */
  default boolean gateCommits(CommitGate gate) {
    return false;
  }

  /** The committed progress, read from the target's {@code replication_control} table. */
  ReplicaPosition position() throws ApplyException;

  /**
   * The last transaction committed on the target, with its journal checksum, as the
   * {@code replication_control} row records it; empty for a new replica or one written before
   * the row kept it. This default keeps nothing.
   */
  default java.util.Optional<LastApplied> lastApplied() throws ApplyException {
    return java.util.Optional.empty();
  }

  /**
   * A transient error (a deadlock, a serialization failure, a lock timeout, a lost connection) the
   * applier is retrying by itself: which attempt failed, of how many, why, and when it tries again.
   */
  record Retrying(int attempt, int maxAttempts, String error, java.time.Instant nextTry) {
  }

  /**
   * The transient error this applier is retrying now, if any; cleared once the retried work has
   * committed. May be called from another thread (status).
   */
  default java.util.Optional<Retrying> retrying() {
    return java.util.Optional.empty();
  }

  /**
   * Transient errors retried by this applier since it was opened (each failed attempt that is
   * tried again counts once). May be called from another thread (metrics). This default retries
   * nothing.
   */
  default long retries() {
    return 0;
  }

  /**
   * How many target connections apply at once and whether they commit in journal order, for
   * status. May be called from another thread. This default: one, in order.
   */
  default Workers workers() {
    return Workers.ONE;
  }

  /**
   * @param count target connections applying transactions at once, 1 or more
   * @param commitOrder whether they commit in journal order
   */
  record Workers(int count, ApplyConfig.CommitOrder commitOrder) {
    /** Serial apply. */
    public static final Workers ONE = new Workers(1, ApplyConfig.CommitOrder.KEPT);
  }

  /** Conflicts seen by this applier since it was opened, by type. May be called from another thread. */
  Map<ConflictType, Long> conflictCounts();

  /** Source transactions skipped because they were already applied, since opened. */
  long skippedTransactions();

  /**
   * Makes the thread driving this applier give up, even while it waits on the target (a row lock,
   * a slow statement): its connection is aborted, so the target rolls the open group back, and the
   * call in progress throws {@link ApplyException} instead of retrying. Nothing committed changes;
   * the next applier opened resumes from the target's progress row. The one method that may be
   * called from another thread (a shutdown); afterwards only {@link #close()} is useful.
   */
  void abort();

  /** Rolls back the open group (uncommitted work is re-applied by the next run) and closes the connection. */
  @Override
  void close();
}
