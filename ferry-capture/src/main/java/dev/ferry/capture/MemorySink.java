package dev.ferry.capture;

import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TransactionSink} in memory, for tests and demos. "Durable" means "in the list"; with
 * {@link #holdDurability(boolean)} futures stay incomplete until released, to show that capture
 * does not confirm what is not durable. Counts chunks so tests can see large transactions.
 *
 * <p>Thread-safe.
 */
public final class MemorySink implements TransactionSink {
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Transaction> durable = new ArrayList<>();
  private final List<Runnable> held = new ArrayList<>();
  private boolean holding;
  private int chunks;
  private int streamedChunks;

  /** Starts with the given transactions already durable (as a journal would after a restart). */
  public MemorySink(List<Transaction> initial) {
    durable.addAll(initial);
  }

  public MemorySink() {
    this(List.of());
  }

  @Override
  public Optional<ResumePoint> resumePoint() {
    lock.lock();
    try {
      return durable.isEmpty() ? Optional.empty() : Optional.of(resumeOf(durable.getLast()));
    } finally {
      lock.unlock();
    }
  }

  private static ResumePoint resumeOf(Transaction tx) {
    return new ResumePoint(tx.gtid(), tx.schemaSequence(), tx.sourcePosition());
  }

  @Override
  public CompletableFuture<?> append(Transaction transaction) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable persist = () -> {
      lock.lock();
      try {
        durable.add(transaction);
      } finally {
        lock.unlock();
      }
      done.complete(null);
    };
    lock.lock();
    try {
      if (holding) {
        held.add(persist);
        return done;
      }
    } finally {
      lock.unlock();
    }
    persist.run();
    return done;
  }

  @Override
  public LargeTransaction beginLarge(Gtid gtid) {
    return new LargeTransaction() {
      private final List<Change> changes = new ArrayList<>();

      @Override
      public CompletableFuture<?> append(List<Change> chunk) {
        changes.addAll(chunk);
        return counted(false);
      }

      @Override
      public CompletableFuture<?> commit(Instant commitTime, long schemaSequence, SourcePosition position) {
        return MemorySink.this.append(new Transaction(gtid, commitTime, schemaSequence, position, changes));
      }

      @Override
      public void abort() {
        changes.clear();
      }
    };
  }

  /** Counts one chunk appended; returns the chunk's (completed) future. */
  private CompletableFuture<?> counted(boolean streamed) {
    lock.lock();
    try {
      chunks++;
      streamedChunks += streamed ? 1 : 0;
    } finally {
      lock.unlock();
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Holds a streamed transaction's changes in memory; at commit leaves out the dropped ones. */
  @Override
  public StreamedTransaction beginStreamed(long key) {
    return new StreamedTransaction() {
      private final List<Change> changes = new ArrayList<>();

      @Override
      public CompletableFuture<?> append(List<Change> chunk) {
        changes.addAll(chunk);
        return counted(true);
      }

      @Override
      public CompletableFuture<?> commit(Gtid gtid, Instant commitTime, long schemaSequence, SourcePosition position,
          List<LargeTransactionWriter.Dropped> dropped) {
        List<Change> kept = new ArrayList<>(changes);
        for (int i = dropped.size() - 1; i >= 0; i--) {
          kept.subList((int) dropped.get(i).from(), (int) dropped.get(i).to()).clear();
        }
        return MemorySink.this.append(new Transaction(gtid, commitTime, schemaSequence, position, kept));
      }

      @Override
      public void abort() {
        changes.clear();
      }
    };
  }

  /** While holding, appended transactions are neither listed nor their futures completed. */
  public void holdDurability(boolean hold) {
    List<Runnable> release;
    lock.lock();
    try {
      holding = hold;
      release = hold ? List.of() : List.copyOf(held);
      if (!hold) {
        held.clear();
      }
    } finally {
      lock.unlock();
    }
    release.forEach(Runnable::run);
  }

  /** The durable transactions so far, in append order. */
  public List<Transaction> transactions() {
    lock.lock();
    try {
      return List.copyOf(durable);
    } finally {
      lock.unlock();
    }
  }

  /** How many chunks of large or streamed transactions were appended. */
  public int chunks() {
    lock.lock();
    try {
      return chunks;
    } finally {
      lock.unlock();
    }
  }

  /** How many chunks of streamed transactions (committed, aborted or still open) were appended. */
  public int streamedChunks() {
    lock.lock();
    try {
      return streamedChunks;
    } finally {
      lock.unlock();
    }
  }
}
