package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Writes one large transaction as CHUNK records as its changes arrive, then a COMMIT (or ABORT)
 * record, so neither capture nor the journal holds it in memory. Readers hand it out only after
 * its COMMIT. Obtained from {@link Journal#beginLarge} (its GTID known from the start) or {@link
 * Journal#beginStreamed} (chunks keyed by a stream key, the GTID given at commit).
 *
 * <p>Not thread-safe: one capture thread feeds one transaction. Each method may block while the
 * journal's write queue is full.
 */
public final class LargeTransactionWriter {
  /**
   * Changes {@code from} (inclusive) to {@code to} (exclusive), counted from 0 over every change
   * appended to a streamed transaction, that a rolled-back subtransaction made: readers skip them.
   */
  public record Dropped(long from, long to) {
    public Dropped {
      if (from < 0 || to <= from) {
        throw new IllegalArgumentException("dropped changes " + from + " to " + to + " are no range");
      }
    }
  }

  /** How the journal tracks an open streamed transaction, apart from GTIDs. */
  record StreamKey(Gtid key) {
  }

  private final Journal journal;
  /** The GTID field of the chunks: the GTID, or for a streamed transaction its stream key. */
  private final Gtid key;
  private final boolean streamed;
  private final Object chunked;
  private CompletableFuture<JournalPosition> firstChunk;
  private int chunks;
  private long changes;
  private boolean finished;

  LargeTransactionWriter(Journal journal, Gtid key, boolean streamed) {
    this.journal = journal;
    this.key = key;
    this.streamed = streamed;
    this.chunked = streamed ? new StreamKey(key) : key;
  }

  /** The GTID (for a streamed transaction: the stream key) its chunks carry. */
  public Gtid gtid() {
    return key;
  }

  /**
   * Appends a chunk of changes (a few thousand is a good size). The future completes once the
   * chunk is durable; it need not be awaited, {@link #commit} fails if any chunk failed.
   */
  public CompletableFuture<JournalPosition> append(List<? extends Change> changeList) {
    checkOpen();
    byte[] frame = RecordFrames.chunk(key, streamed, chunks, changeList);
    CompletableFuture<JournalPosition> f = journal.enqueue(frame, RecordType.CHUNK, key, chunks == 0, chunked);
    if (chunks == 0) {
      firstChunk = f;
    }
    chunks++;
    changes += changeList.size();
    return f;
  }

  /**
   * Ends the transaction as committed. The future completes with the COMMIT record's position once
   * it is durable, after which readers hand the transaction out. Waits (once) for the first chunk's
   * position, which the COMMIT record points to.
   *
   * @throws IllegalStateException for a streamed transaction (it needs its GTID)
   */
  public CompletableFuture<JournalPosition> commit(Instant commitTime, long schemaSequence,
      SourcePosition sourcePosition) {
    if (streamed) {
      throw new IllegalStateException("streamed transaction " + key + " needs its GTID to commit");
    }
    return finish(key, new RecordCodec.Meta(commitTime, schemaSequence, sourcePosition), List.of());
  }

  /**
   * Ends a streamed transaction as committed under {@code gtid}, leaving out the {@code dropped}
   * changes (ascending, not overlapping, within the changes appended). As {@link #commit(Instant,
   * long, SourcePosition)} otherwise.
   */
  public CompletableFuture<JournalPosition> commit(Gtid gtid, Instant commitTime, long schemaSequence,
      SourcePosition sourcePosition, List<Dropped> dropped) {
    if (!streamed) {
      throw new IllegalStateException("large transaction " + key + " was begun with its GTID");
    }
    long end = 0;
    for (Dropped d : dropped) {
      if (d.from() < end || d.to() > changes) {
        throw new IllegalArgumentException("dropped changes " + d + " of streamed transaction " + key
            + " are out of order or beyond its " + changes + " changes");
      }
      end = d.to();
    }
    return finish(gtid, new RecordCodec.Meta(commitTime, schemaSequence, sourcePosition), dropped);
  }

  private CompletableFuture<JournalPosition> finish(Gtid gtid, RecordCodec.Meta meta, List<Dropped> dropped) {
    checkOpen();
    finished = true;
    journal.finishLarge(chunked);
    if (chunks == 0) {
      return journal.append(new Transaction(gtid, meta.commitTime(), meta.schemaSequence(), meta.sourcePosition(),
          List.of()));
    }
    JournalPosition first;
    try {
      first = firstChunk.get();
    } catch (ExecutionException e) {
      return CompletableFuture.failedFuture(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
    Optional<Gtid> streamKey = streamed ? Optional.of(key) : Optional.empty();
    List<RecordCodec.DroppedRange> ranges = dropped.stream()
        .map(d -> new RecordCodec.DroppedRange(d.from(), d.to())).toList();
    byte[] frame = RecordFrames.commit(gtid, new RecordCodec.CommitInfo(meta, chunks, changes, first, streamKey, ranges));
    return journal.enqueue(frame, RecordType.COMMIT, gtid, false, chunked);
  }

  /** Ends the transaction as rolled back: readers skip its chunks. */
  public CompletableFuture<JournalPosition> abort() {
    checkOpen();
    finished = true;
    journal.finishLarge(chunked);
    return journal.enqueue(RecordFrames.abort(key, streamed, chunks), RecordType.ABORT, key, false, chunked);
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException("large transaction " + key + " already committed or aborted");
    }
  }
}
