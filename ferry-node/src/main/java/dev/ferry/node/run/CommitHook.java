package dev.ferry.node.run;

import dev.ferry.capture.TransactionSink.LargeTransaction;
import dev.ferry.journal.model.Change;
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
}
