package dev.ferry.journal;

import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A committed transaction as a {@link JournalReader} hands it out: a reader only hands out a
 * transaction once it has read its commit (a TX record, or the COMMIT record of a chunked one),
 * so everything seen through this object committed at the source.
 *
 * <p>A chunked transaction's changes are not in memory: {@link #changes()} streams them from the
 * chunk records on disk, one chunk at a time, and can be called again to start over. Instances
 * are immutable and may be passed between threads; each cursor is for one thread. Nothing
 * returned is null.
 */
public final class JournalTransaction {
  /** Opens a fresh cursor over a chunked transaction's changes. */
  interface CursorSource {
    ChangeCursor open() throws IOException;
  }

  private final Gtid gtid;
  private final RecordCodec.Meta meta;
  private final JournalPosition position;
  private final JournalPosition nextPosition;
  private final long changeCount;
  private final List<Change> changes;
  private final CursorSource chunks;
  private final long checksum;

  private JournalTransaction(Gtid gtid, RecordCodec.Meta meta, JournalPosition position,
      JournalPosition nextPosition, long changeCount, List<Change> changes, CursorSource chunks, long checksum) {
    this.checksum = checksum;
    this.gtid = gtid;
    this.meta = meta;
    this.position = position;
    this.nextPosition = nextPosition;
    this.changeCount = changeCount;
    this.changes = changes;
    this.chunks = chunks;
  }

  static JournalTransaction whole(Gtid gtid, RecordCodec.Meta meta, JournalPosition position,
      JournalPosition next, List<Change> changes, int crc) {
    return new JournalTransaction(gtid, meta, position, next, changes.size(), changes, null, Integer.toUnsignedLong(crc));
  }

  static JournalTransaction chunked(Gtid gtid, RecordCodec.Meta meta, JournalPosition position,
      JournalPosition next, long changeCount, CursorSource chunks, int crc) {
    return new JournalTransaction(gtid, meta, position, next, changeCount, null, chunks, Integer.toUnsignedLong(crc));
  }

  /**
   * Whether applying it may commit on a target before the rest of its group does: a chunked one
   * (applied alone, in a target transaction of its own), or one carrying DDL or a TRUNCATE (which
   * some targets commit on their own).
   */
  boolean mayCommitAlone() {
    if (changes == null) {
      return true;
    }
    for (Change c : changes) {
      if (c instanceof Change.Ddl || c instanceof Change.Truncate) {
        return true;
      }
    }
    return false;
  }

  /**
   * The transaction's checksum: the CRC32C of its TX or COMMIT record (0 to 2^32-1). It covers
   * the GTID, commit time, schema sequence, source position and, for a whole transaction, every
   * change (a chunked one's chunks carry CRCs of their own). A replica keeps it with its progress,
   * so a GTID that comes back with other content is recognised.
   */
  public long checksum() {
    return checksum;
  }

  public Gtid gtid() {
    return gtid;
  }

  public Instant commitTime() {
    return meta.commitTime();
  }

  public long schemaSequence() {
    return meta.schemaSequence();
  }

  public SourcePosition sourcePosition() {
    return meta.sourcePosition();
  }

  /** Where its TX or COMMIT record starts. */
  public JournalPosition position() {
    return position;
  }

  /**
   * Where reading continues after this transaction: a reader opened here hands out the next
   * transaction. This is what a consumer acknowledges.
   */
  public JournalPosition nextPosition() {
    return nextPosition;
  }

  public long changeCount() {
    return changeCount;
  }

  /** Whether it was written as chunks (its changes are streamed from disk). */
  public boolean chunked() {
    return chunks != null;
  }

  /** A new cursor over the changes, from the first. */
  public ChangeCursor changes() throws IOException {
    return chunks != null ? chunks.open() : new ListCursor(changes);
  }

  /** The whole transaction in memory. Only for transactions known to be small (tests, tools). */
  public Transaction toTransaction() throws IOException {
    List<Change> all = changes;
    if (all == null) {
      all = new ArrayList<>();
      try (ChangeCursor cursor = chunks.open()) {
        while (cursor.advance()) {
          all.add(cursor.current());
        }
      }
    }
    return new Transaction(gtid, meta.commitTime(), meta.schemaSequence(), meta.sourcePosition(), all);
  }

  @Override
  public String toString() {
    return "JournalTransaction[" + gtid + " at " + position + ", " + changeCount + " changes"
        + (chunked() ? ", chunked" : "") + "]";
  }

  private static final class ListCursor implements ChangeCursor {
    private final List<Change> changes;
    private int next;
    private Change current;

    ListCursor(List<Change> changes) {
      this.changes = changes;
    }

    @Override
    public boolean advance() {
      if (next == changes.size()) {
        current = null;
        return false;
      }
      current = changes.get(next++);
      return true;
    }

    @Override
    public Change current() {
      if (current == null) {
        throw new NoSuchElementException("advance() first (or the cursor is at its end)");
      }
      return current;
    }

    @Override
    public void close() {
    }
  }
}
