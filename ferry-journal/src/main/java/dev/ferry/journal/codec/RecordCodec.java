package dev.ferry.journal.codec;

import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Payloads of the four record types, TX, CHUNK, COMMIT and ABORT (layout in {@code
 * docs/journal-format.md}): what a record carries inside the frame the segment engine draws around
 * it (length, CRC, type, flags, GTID, compression are the engine's {@code SegmentFormat}). The
 * codec's entry point: an {@link Encoder} writes payloads, the static {@code read} methods read
 * them and throw {@link ByteSource.MalformedRecordException} for bytes that do not decode.
 *
 * <p>Thread-safe: the static methods keep no state; an {@link Encoder} belongs to one thread.
 */
public final class RecordCodec {
  private static final SourcePosition.Kind[] KINDS = SourcePosition.Kind.values();
  /** In the source position's kind byte (format 3): a source GTID follows the position. */
  private static final int HAS_SOURCE_GTID = 0x80;

  private RecordCodec() {
  }

  /**
   * Encodes payloads into one reused buffer, so encoding a record allocates nothing but what grows
   * that buffer. Each method returns the buffer holding the payload, valid until the next call.
   * Not thread-safe: one per appending thread.
   */
  public static final class Encoder {
    private final ByteSink payload = new ByteSink(64 << 10);
    private final ChangeCodec.Encoder changes = new ChangeCodec.Encoder();

    private ByteSink start() {
      payload.clear();
      changes.reset();
      return payload;
    }

    /** A TX record's payload: the transaction's metadata and changes. */
    public ByteSink transaction(Transaction tx) {
      ByteSink out = start();
      putMeta(out, new Meta(tx.commitTime(), tx.schemaSequence(), tx.sourcePosition()));
      changes.writeChanges(out, tx.changes());
      return out;
    }

    /** A CHUNK record's payload: its index in the transaction and its changes. */
    public ByteSink chunk(int index, List<? extends Change> changeList) {
      ByteSink out = start();
      out.putInt(index);
      changes.writeChanges(out, changeList);
      return out;
    }

    /**
     * A COMMIT record's payload; with a {@link CommitInfo#streamKey()} (a streamed transaction, whose
     * frame is marked streamed) the stream key and the dropped ranges follow.
     */
    public ByteSink commit(CommitInfo info) {
      ByteSink out = start();
      putMeta(out, info.meta());
      out.putInt(info.chunkCount());
      out.putLong(info.changeCount());
      out.putLong(info.firstChunk().segment());
      out.putLong(info.firstChunk().offset());
      if (info.streamKey().isEmpty()) {
        return out;
      }
      Gtid key = info.streamKey().get();
      out.putInt((int) key.domain());
      out.putInt((int) key.serverId());
      out.putLong(key.seq());
      out.putVarLong(info.dropped().size());
      for (DroppedRange d : info.dropped()) {
        out.putVarLong(d.from());
        out.putVarLong(d.to() - d.from());
      }
      return out;
    }

    /** An ABORT record's payload: how many chunks it gives up. */
    public ByteSink abort(int chunkCount) {
      ByteSink out = start();
      out.putInt(chunkCount);
      return out;
    }
  }

  /** What a TX or COMMIT record says about its transaction besides the changes. */
  public record Meta(Instant commitTime, long schemaSequence, SourcePosition sourcePosition) {
  }

  /**
   * Changes {@code from} (inclusive) to {@code to} (exclusive) of a streamed transaction that its
   * COMMIT says a rolled-back subtransaction made.
   */
  public record DroppedRange(long from, long to) {
  }

  /**
   * The rest of a COMMIT record. {@code changeCount} counts the changes its chunks hold; a streamed
   * one ({@code streamKey} present) hands out that many minus the {@code dropped} ones.
   */
  public record CommitInfo(Meta meta, int chunkCount, long changeCount, JournalPosition firstChunk,
      Optional<Gtid> streamKey, List<DroppedRange> dropped) {
    CommitInfo(Meta meta, int chunkCount, long changeCount, JournalPosition firstChunk) {
      this(meta, chunkCount, changeCount, firstChunk, Optional.empty(), List.of());
    }

    /** How many changes the transaction hands out. */
    public long delivered() {
      long n = changeCount;
      for (DroppedRange d : dropped) {
        n -= d.to() - d.from();
      }
      return n;
    }
  }

  private static void putMeta(ByteSink out, Meta meta) {
    out.putLong(meta.commitTime().getEpochSecond());
    out.putInt(meta.commitTime().getNano());
    out.putLong(meta.schemaSequence());
    putSourcePosition(out, meta.sourcePosition());
  }

  /**
   * Kind (bit 7: a source GTID follows), value, the file of a binlog position, the source GTID:
   * a PostgreSQL LSN or SQLite change id stays 9 bytes.
   */
  private static void putSourcePosition(ByteSink out, SourcePosition position) {
    out.putByte(position.kind().ordinal() | (position.sourceGtid().isPresent() ? HAS_SOURCE_GTID : 0));
    out.putLong(position.value());
    if (position.kind() == SourcePosition.Kind.BINLOG) {
      out.putString(position.file());
    }
    position.sourceGtid().ifPresent(g -> {
      out.putInt((int) g.domain());
      out.putInt((int) g.serverId());
      out.putLong(g.seq());
    });
  }

  private static SourcePosition readSourcePosition(ByteSource in, int version) {
    int flags = in.getByte();
    int kind = version >= 3 ? flags & ~HAS_SOURCE_GTID : flags;
    if (kind >= KINDS.length) {
      throw new ByteSource.MalformedRecordException("unknown source position kind " + kind);
    }
    long value = in.getLong();
    if (version < 3) {
      return new SourcePosition(KINDS[kind], value);
    }
    String file = KINDS[kind] == SourcePosition.Kind.BINLOG ? in.getString() : "";
    try {
      Optional<Gtid> gtid = (flags & HAS_SOURCE_GTID) == 0 ? Optional.empty()
          : Optional.of(new Gtid(in.getInt() & Gtid.MAX_UINT32, in.getInt() & Gtid.MAX_UINT32, in.getLong()));
      return new SourcePosition(KINDS[kind], file, value, gtid);
    } catch (IllegalArgumentException e) {
      throw new ByteSource.MalformedRecordException("source position does not decode: " + e.getMessage());
    }
  }

  /** Reads a TX or COMMIT record's metadata in format {@code version}. */
  public static Meta readMeta(ByteSource in, int version) {
    long seconds = in.getLong();
    int nanos = in.getInt();
    if (nanos < 0 || nanos > 999_999_999 || seconds < Instant.MIN.getEpochSecond()
        || seconds > Instant.MAX.getEpochSecond()) {
      throw new ByteSource.MalformedRecordException("commit time " + seconds + "s " + nanos + "ns is impossible");
    }
    Instant commitTime = Instant.ofEpochSecond(seconds, nanos);
    long schemaSequence = in.getLong();
    return new Meta(commitTime, schemaSequence, readSourcePosition(in, version));
  }

  /**
   * Reads a COMMIT record's payload in format {@code version}; {@code streamed}: its frame is marked
   * streamed (the stream key and dropped ranges follow; when false they are left unread).
   */
  public static CommitInfo readCommit(ByteSource in, int version, boolean streamed) {
    Meta meta = readMeta(in, version);
    int chunkCount = in.getInt();
    long changeCount = in.getLong();
    long segment = in.getLong();
    long offset = in.getLong();
    if (segment < 1 || offset < 0 || chunkCount < 0 || changeCount < 0) {
      throw new ByteSource.MalformedRecordException("COMMIT record has impossible counts or first chunk "
          + segment + ":" + offset);
    }
    JournalPosition first = new JournalPosition(segment, offset);
    if (!streamed) {
      return new CommitInfo(meta, chunkCount, changeCount, first);
    }
    long domain = in.getInt() & Gtid.MAX_UINT32;
    long server = in.getInt() & Gtid.MAX_UINT32;
    long seq = in.getLong();
    if (seq < 0) {
      throw new ByteSource.MalformedRecordException("COMMIT record has a negative stream key " + seq);
    }
    long ranges = in.getVarLong();
    if (ranges > in.remaining() / 2) {
      throw new ByteSource.MalformedRecordException("COMMIT record claims " + ranges + " dropped ranges in "
          + in.remaining() + " bytes");
    }
    List<DroppedRange> dropped = new ArrayList<>((int) ranges);
    long end = 0;
    for (long i = 0; i < ranges; i++) {
      long from = in.getVarLong();
      long length = in.getVarLong();
      if (from < end || length < 1 || length > changeCount - from) {
        throw new ByteSource.MalformedRecordException("COMMIT record drops changes " + from + " (+" + length
            + ") of " + changeCount + " after " + end);
      }
      end = from + length;
      dropped.add(new DroppedRange(from, end));
    }
    return new CommitInfo(meta, chunkCount, changeCount, first, Optional.of(new Gtid(domain, server, seq)),
        List.copyOf(dropped));
  }

  /**
   * Reads a change list (the rest of a TX payload, or of a CHUNK payload after its index) in format
   * {@code version}; {@code in} may be a reused buffer (what is kept is copied).
   */
  public static List<Change> readChanges(ByteSource in, int version) {
    in = in.copyOfRest();
    ChangeCodec.Decoder decoder = new ChangeCodec.Decoder(version);
    int n = ChangeCodec.Decoder.count(in);
    List<Change> changes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      changes.add(decoder.read(in));
    }
    if (in.hasRemaining()) {
      throw new ByteSource.MalformedRecordException(in.remaining() + " bytes left after the last change");
    }
    return changes;
  }

  /** Reads the start of a CHUNK payload: the chunk's index in its transaction. */
  public static int readChunkIndex(ByteSource in) {
    return in.getInt();
  }

  /** Reads an ABORT payload: how many chunks it gives up. */
  public static int readAbort(ByteSource in) {
    return in.getInt();
  }
}
