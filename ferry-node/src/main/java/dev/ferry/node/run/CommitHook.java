package dev.ferry.node.run;

import dev.ferry.capture.TransactionSink.LargeTransaction;
import dev.ferry.capture.TransactionSink.StreamedTransaction;
import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A large transaction whose commit's future is passed through a function (sinks that wrap a sink). Stateless. */
final class CommitHook {
  private CommitHook() {
  }

  /** What follows a large transaction's commit: its future, given the commit's time and source position. */
  @FunctionalInterface
  interface Then {
    CompletableFuture<?> apply(CompletableFuture<?> commit, Instant commitTime, SourcePosition position);
  }

  /** {@code large}, with {@code then} applied to the future of its commit; chunks and abort unchanged. */
  static LargeTransaction onCommit(LargeTransaction large, Then then) {
    return observe(large, n -> { }, then);
  }

  /**
   * {@code large}, telling {@code appended} how many changes each chunk held once it is written,
   * and with {@code then} applied to the future of its commit.
   */
  static LargeTransaction observe(LargeTransaction large, java.util.function.LongConsumer appended, Then then) {
    return new LargeTransaction() {
      @Override
      public CompletableFuture<?> append(List<Change> changes) {
        return large.append(changes).thenApply(done -> {
          appended.accept(changes.size());
          return done;
        });
      }

      @Override
      public CompletableFuture<?> commit(Instant commitTime, long schemaSequence, SourcePosition position) {
        return then.apply(large.commit(commitTime, schemaSequence, position), commitTime, position);
      }

      @Override
      public void abort() {
        large.abort();
      }
    };
  }

  /** What follows a streamed transaction's commit: as {@link Then}, with the GTID it was given. */
  @FunctionalInterface
  interface ThenStreamed {
    CompletableFuture<?> apply(CompletableFuture<?> commit, Gtid gtid, Instant commitTime, SourcePosition position);
  }

  /**
   * {@code streamed}, telling {@code committed} how many changes it delivered once its commit is
   * durable (an aborted one counts none), and with {@code then} applied to the future of its commit.
   */
  static StreamedTransaction observe(StreamedTransaction streamed, java.util.function.LongConsumer committed,
      ThenStreamed then) {
    return new StreamedTransaction() {
      private long appended;

      @Override
      public CompletableFuture<?> append(List<Change> changes) {
        appended += changes.size();
        return streamed.append(changes);
      }

      @Override
      public CompletableFuture<?> commit(Gtid gtid, Instant commitTime, long schemaSequence, SourcePosition position,
          List<LargeTransactionWriter.Dropped> dropped) {
        long delivered = appended - dropped.stream().mapToLong(d -> d.to() - d.from()).sum();
        CompletableFuture<?> commit = streamed.commit(gtid, commitTime, schemaSequence, position, dropped)
            .thenApply(done -> {
              committed.accept(delivered);
              return done;
            });
        return then.apply(commit, gtid, commitTime, position);
      }

      @Override
      public void abort() {
        streamed.abort();
      }
    };
  }
}
