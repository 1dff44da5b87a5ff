package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Writes one large transaction as CHUNK records as its changes arrive, then a COMMIT (or ABORT)
 * record, so neither capture nor the journal holds it in memory. Readers hand it out only after
 * its COMMIT. Obtained from {@link Journal#beginLarge}.
 *
 * <p>Not thread-safe: one capture thread feeds one transaction. Each method may block while the
 * journal's write queue is full.
 */
public final class LargeTransactionWriter {
  private final Journal journal;
  private final Gtid gtid;
  private CompletableFuture<JournalPosition> firstChunk;
  private int chunks;
  private long changes;
  private boolean finished;

  LargeTransactionWriter(Journal journal, Gtid gtid) {
    this.journal = journal;
    this.gtid = gtid;
  }

  public Gtid gtid() {
    return gtid;
  }

  /**
   * Appends a chunk of changes (a few thousand is a good size). The future completes once the
   * chunk is durable; it need not be awaited, {@link #commit} fails if any chunk failed.
   */
  public CompletableFuture<JournalPosition> append(List<? extends Change> changeList) {
    checkOpen();
    byte[] frame = RecordCodec.chunk(gtid, chunks, changeList);
    CompletableFuture<JournalPosition> f = journal.enqueue(frame, RecordType.CHUNK, gtid, chunks == 0);
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
   */
  public CompletableFuture<JournalPosition> commit(Instant commitTime, long schemaSequence,
      SourcePosition sourcePosition) {
    checkOpen();
    finished = true;
    journal.finishLarge(gtid);
    if (chunks == 0) {
      return journal.append(new Transaction(gtid, commitTime, schemaSequence, sourcePosition, List.of()));
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
    RecordCodec.Meta meta = new RecordCodec.Meta(commitTime, schemaSequence, sourcePosition);
    byte[] frame = RecordCodec.commit(gtid, new RecordCodec.CommitInfo(meta, chunks, changes, first));
    return journal.enqueue(frame, RecordType.COMMIT, gtid, false);
  }

  /** Ends the transaction as rolled back: readers skip its chunks. */
  public CompletableFuture<JournalPosition> abort() {
    checkOpen();
    finished = true;
    journal.finishLarge(gtid);
    return journal.enqueue(RecordCodec.abort(gtid, chunks), RecordType.ABORT, gtid, false);
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException("large transaction " + gtid + " already committed or aborted");
    }
  }
}
