package dev.ferry.capture.trigger;

import dev.ferry.capture.TransactionSink;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The changes of one poll, becoming one journal transaction: held in memory while small, switched
 * to a chunked (large) transaction once it passes {@code chunkChanges}, so memory stays bounded
 * whatever the size. Not thread-safe.
 */
final class CaptureGroup {
  private final TransactionSink sink;
  private final Gtid gtid;
  private final int chunkChanges;
  private final List<Change> pending = new ArrayList<>();
  private TransactionSink.LargeTransaction large;
  private long size;

  CaptureGroup(TransactionSink sink, Gtid gtid, int chunkChanges) {
    this.sink = sink;
    this.gtid = gtid;
    this.chunkChanges = chunkChanges;
  }

  void add(Change change) {
    pending.add(change);
    size++;
    if (pending.size() >= chunkChanges) {
      if (large == null) {
        large = sink.beginLarge(gtid);
      }
      large.append(List.copyOf(pending));
      pending.clear();
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  long size() {
    return size;
  }

  Gtid gtid() {
    return gtid;
  }

  /** Ends the group as one committed transaction; the future completes once it is durable. */
  CompletableFuture<?> commit(Instant commitTime, long schemaSequence, SourcePosition position) {
    if (large == null) {
      return sink.append(new Transaction(gtid, commitTime, schemaSequence, position, pending));
    }
    if (!pending.isEmpty()) {
      large.append(List.copyOf(pending));
      pending.clear();
    }
    return large.commit(commitTime, schemaSequence, position);
  }

  /** Drops what was written of a group that will not be committed. */
  void abort() {
    if (large != null) {
      large.abort();
    }
    pending.clear();
  }
}
