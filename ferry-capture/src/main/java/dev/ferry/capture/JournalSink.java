package dev.ferry.capture;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.LargeTransactionWriter;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The production {@link TransactionSink}: the journal. Futures complete after the journal's fsync.
 * Thread-safety as {@link Journal}: appends from one capture thread.
 */
public final class JournalSink implements TransactionSink {
  private final Journal journal;

  public JournalSink(Journal journal) {
    this.journal = journal;
  }

  /**
   * The last committed transaction in the journal: read from the newest segment that holds one
   * (each segment is read at most once, newest first).
   */
  /** The journal's id: {@link Journal#open} locks the directory, so this process is its only writer. */
  @Override
  public Optional<String> exclusiveOwner() {
    return Optional.of(journal.id().toString());
  }

  @Override
  public Optional<ResumePoint> resumePoint() throws IOException {
    List<SegmentInfo> segments = dev.ferry.journal.JournalInspector.list(journal.directory());
    for (int i = segments.size() - 1; i >= 0; i--) {
      Optional<ResumePoint> last = lastIn(segments.get(i).number());
      if (last.isPresent()) {
        return last;
      }
    }
    return Optional.empty();
  }

  private Optional<ResumePoint> lastIn(long segment) throws IOException {
    ResumePoint last = null;
    try (JournalReader reader = journal.readerAt(JournalPosition.startOf(segment))) {
      Optional<JournalTransaction> tx;
      while ((tx = reader.next(Duration.ZERO)).isPresent() && tx.get().position().segment() == segment) {
        last = new ResumePoint(tx.get().gtid(), tx.get().schemaSequence(), tx.get().sourcePosition());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while finding the journal's last transaction", e);
    }
    return Optional.ofNullable(last);
  }

  @Override
  public CompletableFuture<?> append(Transaction transaction) {
    return journal.append(transaction);
  }

  @Override
  public LargeTransaction beginLarge(Gtid gtid) {
    var writer = journal.beginLarge(gtid);
    return new LargeTransaction() {
      @Override
      public CompletableFuture<?> append(List<Change> changes) {
        return writer.append(changes);
      }

      @Override
      public CompletableFuture<?> commit(Instant commitTime, long schemaSequence, SourcePosition position) {
        return writer.commit(commitTime, schemaSequence, position);
      }

      @Override
      public void abort() {
        writer.abort();
      }
    };
  }

  /** Chunks keyed by the stream key 0-0-{@code key} ({@link Journal#beginStreamed}). */
  @Override
  public StreamedTransaction beginStreamed(long key) {
    var writer = journal.beginStreamed(new Gtid(0, 0, key));
    return new StreamedTransaction() {
      @Override
      public CompletableFuture<?> append(List<Change> changes) {
        return writer.append(changes);
      }

      @Override
      public CompletableFuture<?> commit(Gtid gtid, Instant commitTime, long schemaSequence, SourcePosition position,
          List<LargeTransactionWriter.Dropped> dropped) {
        return writer.commit(gtid, commitTime, schemaSequence, position, dropped);
      }

      @Override
      public void abort() {
        writer.abort();
      }
    };
  }
}
