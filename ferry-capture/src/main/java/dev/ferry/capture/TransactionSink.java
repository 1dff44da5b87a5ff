package dev.ferry.capture;

import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where capture puts committed transactions: the journal in production, memory in tests.
 *
 * <p>Every future completes only once what it covers is durable (fsynced); capture tells the
 * source "flushed" only then. Futures complete in append order. Calls come from one capture
 * thread; futures may complete on any thread.
 */
public interface TransactionSink {
  /**
   * The last transaction of this source the sink holds durably, or empty when it holds none.
   * Called once when capture starts.
   */
  Optional<ResumePoint> resumePoint() throws IOException;

  /**
   * A name of this sink when only one process at a time can write it (the journal: its writer
   * holds a file lock), else empty. A replication connection carrying this name that is still
   * open when capture starts belongs to an earlier writer of the same sink, which is gone.
   */
  default Optional<String> exclusiveOwner() {
    return Optional.empty();
  }

  /** Appends a whole transaction; the future completes when it is durable. */
  CompletableFuture<?> append(Transaction transaction);

  /** Starts a transaction too large to hold in memory; its changes arrive in chunks. */
  LargeTransaction beginLarge(Gtid gtid);

  /**
   * Starts a transaction the source streams while it is still in progress (PostgreSQL's
   * {@code streaming}): its chunks are keyed by {@code key} (the source's transaction id), its GTID
   * is given at commit, so GTIDs follow commit order although streamed transactions interleave.
   *
   * @throws UnsupportedOperationException if this sink cannot hold streamed transactions
   */
  default StreamedTransaction beginStreamed(long key) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not take streamed transactions");
  }

  /**
   * One streamed transaction being written. Not thread-safe: fed by the capture thread only.
   * Readers of the sink see it only after {@link #commit}, without its dropped changes.
   */
  interface StreamedTransaction {
    /** Appends the next chunk of changes, in source order. */
    CompletableFuture<?> append(List<Change> changes);

    /**
     * Ends it as committed under {@code gtid}, leaving out the {@code dropped} changes (ranges of
     * the changes appended, counted from 0, ascending: what rolled-back subtransactions made). The
     * future completes when the whole transaction is durable.
     */
    CompletableFuture<?> commit(Gtid gtid, Instant commitTime, long schemaSequence, SourcePosition position,
        List<LargeTransactionWriter.Dropped> dropped);

    /** Ends it as never committed (the source aborted it, or the connection was lost). */
    void abort();
  }

  /**
   * One large transaction being written. Not thread-safe: fed by the capture thread only.
   * Readers of the sink see it only after {@link #commit}.
   */
  interface LargeTransaction {
    /** Appends the next chunk of changes, in source order. */
    CompletableFuture<?> append(List<Change> changes);

    /** Ends it as committed; the future completes when the whole transaction is durable. */
    CompletableFuture<?> commit(Instant commitTime, long schemaSequence, SourcePosition position);

    /** Ends it as never committed (the source connection was lost in the middle). */
    void abort();
  }
}
