package dev.ferry.node.run;

import dev.ferry.capture.ResumePoint;
import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sink that remembers the newest durable transaction (GTID and commit time) passing through it,
 * for status and lag, without reading the journal back. Thread-safe.
 */
final class TrackingSink implements TransactionSink {
  /**
   * The newest durable transaction; its commit time is {@link Instant#EPOCH} when capture resumed
   * and nothing new has been captured yet (the resume point carries no time).
   */
  record Head(Gtid gtid, Instant commitTime, SourcePosition position) {
    Optional<Instant> knownCommitTime() {
      return commitTime.equals(Instant.EPOCH) ? Optional.empty() : Optional.of(commitTime);
    }
  }

  private final TransactionSink delegate;
  private final AtomicReference<Head> head = new AtomicReference<>();
  private final AtomicReference<List<Gtid>> newestByDomain = new AtomicReference<>(List.of());
  private final AtomicLong captured = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong lagNanos = new AtomicLong();
  private final InstantSource clock;

  TrackingSink(TransactionSink delegate, InstantSource clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  Optional<Head> head() {
    return Optional.ofNullable(head.get());
  }

  /** The newest durable transaction of each GTID domain (the resume point's until one is captured). */
  List<Gtid> newestByDomain() {
    return newestByDomain.get();
  }

  /** Transactions made durable through this sink since it was created. */
  long captured() {
    return captured.get();
  }

  /** Changes of the transactions made durable through this sink. */
  long changes() {
    return changes.get();
  }

  /** For the newest durable transaction: from its source commit to durable here, in seconds (0 before one). */
  double lagSeconds() {
    return lagNanos.get() / 1e9;
  }

  @Override
  public Optional<String> exclusiveOwner() {
    return delegate.exclusiveOwner();
  }

  @Override
  public Optional<ResumePoint> resumePoint() throws IOException {
    Optional<ResumePoint> resume = delegate.resumePoint();
    resume.ifPresent(r -> {
      head.compareAndSet(null, new Head(r.gtid(), Instant.EPOCH, r.position()));
      newestByDomain.accumulateAndGet(List.of(r.gtid()), (old, now) -> Gtids.with(old, now.getFirst()));
    });
    return resume;
  }

  @Override
  public CompletableFuture<?> append(Transaction tx) {
    return delegate.append(tx).thenApply(done -> {
      changes.addAndGet(tx.changes().size());
      return durable(tx.gtid(), tx.commitTime(), tx.sourcePosition(), done);
    });
  }

  private <T> T durable(Gtid gtid, Instant commitTime, SourcePosition position, T done) {
    head.accumulateAndGet(new Head(gtid, commitTime, position),
        (old, now) -> old == null || now.gtid().seq() >= old.gtid().seq() ? now : old);
    newestByDomain.accumulateAndGet(List.of(gtid), (old, now) -> Gtids.with(old, now.getFirst()));
    captured.incrementAndGet();
    lagNanos.set(Math.max(0, Duration.between(commitTime, clock.instant()).toNanos()));
    return done;
  }

  @Override
  public LargeTransaction beginLarge(Gtid gtid) {
    return CommitHook.observe(delegate.beginLarge(gtid), changes::addAndGet, (commit, time, position) ->
        commit.thenApply(done -> durable(gtid, time, position, done)));
  }

  @Override
  public StreamedTransaction beginStreamed(long key) {
    return CommitHook.observe(delegate.beginStreamed(key), changes::addAndGet, (commit, gtid, time, position) ->
        commit.thenApply(done -> durable(gtid, time, position, done)));
  }
}
