package dev.ferry.node.run;

import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Transaction;
import dev.ferry.transport.push.SyncGate;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The journal sink of a primary with synchronous replica nodes: a transaction counts as durable
 * for capture (which then confirms its source position) only once the journal fsynced it and the
 * {@link SyncGate} released it. Chunks of a large transaction are not held back; its commit is.
 * Thread-safe as its delegate.
 */
final class SyncSink implements TransactionSink {
  private final TransactionSink delegate;
  private final SyncGate gate;

  SyncSink(TransactionSink delegate, SyncGate gate) {
    this.delegate = delegate;
    this.gate = gate;
  }

  @Override
  public Optional<String> exclusiveOwner() {
    return delegate.exclusiveOwner();
  }

  @Override
  public Optional<ResumePoint> resumePoint() throws IOException {
    return delegate.resumePoint();
  }

  @Override
  public CompletableFuture<?> append(Transaction tx) {
    return delegate.append(tx).thenCompose(this::released);
  }

  private CompletableFuture<?> released(Object durable) {
    if (!(durable instanceof JournalPosition position)) {
      throw new IllegalStateException("the journal sink completed with " + durable + ", not a journal position");
    }
    return gate.after(position);
  }

  @Override
  public LargeTransaction beginLarge(Gtid gtid) {
    return CommitHook.onCommit(delegate.beginLarge(gtid), (commit, time, position) -> commit.thenCompose(
        this::released));
  }

  @Override
  public StreamedTransaction beginStreamed(long key) {
    return CommitHook.observe(delegate.beginStreamed(key), n -> { }, (commit, gtid, time, position) ->
        commit.thenCompose(this::released));
  }
}
