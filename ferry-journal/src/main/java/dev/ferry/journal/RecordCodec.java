package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Payloads of the four record types (layout in {@code docs/journal-format.md}). Encoding runs on
 * the appending thread, so the writer thread only copies bytes; each thread reuses its own
 * scratch buffers, and a frame costs one allocation (its exact-size array).
 */
final class RecordCodec {
  private static final SourcePosition.Kind[] KINDS = SourcePosition.Kind.values();
  /** In the source position's kind byte (format 3): a source GTID follows the position. */
  private static final int HAS_SOURCE_GTID = 0x80;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private RecordCodec() {
  }

  private static final class Scratch {
    final ByteSink payload = new ByteSink(64 << 10);
    final ByteSink compressed = new ByteSink(64 << 10);
    final ChangeCodec.Encoder changes = new ChangeCodec.Encoder();

    ByteSink start() {
      payload.clear();
      changes.reset();
      return payload;
    }

    byte[] finish(RecordType type, Gtid gtid) {
      return finish(type, 0, gtid);
    }

    byte[] finish(RecordType type, int flags, Gtid gtid) {
      byte[] frame = SegmentFormat.frame(type, flags, gtid, payload, compressed);
      if (payload.array().length > (4 << 20)) {
        payload.clear();
      }
      return frame;
    }
  }

  /** What a TX or COMMIT record says about its transaction besides the changes. */
  record Meta(Instant commitTime, long schemaSequence, SourcePosition sourcePosition) {
  }

  /**
   * The rest of a COMMIT record. {@code changeCount} counts the changes its chunks hold; a streamed
   * one ({@code streamKey} present) hands out that many minus the {@code dropped} ones.
   */
  record CommitInfo(Meta meta, int chunkCount, long changeCount, JournalPosition firstChunk,
      Optional<Gtid> streamKey, List<LargeTransactionWriter.Dropped> dropped) {
    CommitInfo(Meta meta, int chunkCount, long changeCount, JournalPosition firstChunk) {
      this(meta, chunkCount, changeCount, firstChunk, Optional.empty(), List.of());
    }

    /** How many changes the transaction hands out. */
    long delivered() {
      long n = changeCount;
      for (LargeTransactionWriter.Dropped d : dropped) {
        n -= d.to() - d.from();
      }
      return n;
    }
  }

  static byte[] transaction(Transaction tx) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    putMeta(out, new Meta(tx.commitTime(), tx.schemaSequence(), tx.sourcePosition()));
    s.changes.writeChanges(out, tx.changes());
    return s.finish(RecordType.TX, tx.gtid());
  }

  /** A CHUNK record; {@code streamed}: {@code gtid} is a stream key ({@link SegmentFormat#FLAG_STREAMED}). */
  static byte[] chunk(Gtid gtid, boolean streamed, int index, List<? extends Change> changes) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    out.putInt(index);
    s.changes.writeChanges(out, changes);
    return s.finish(RecordType.CHUNK, streamed ? SegmentFormat.FLAG_STREAMED : 0, gtid);
  }

  static byte[] commit(Gtid gtid, CommitInfo info) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    putMeta(out, info.meta());
    out.putInt(info.chunkCount());
    out.putLong(info.changeCount());
    out.putLong(info.firstChunk().segment());
    out.putLong(info.firstChunk().offset());
    if (info.streamKey().isEmpty()) {
      return s.finish(RecordType.COMMIT, gtid);
    }
    Gtid key = info.streamKey().get();
    out.putInt((int) key.domain());
    out.putInt((int) key.serverId());
    out.putLong(key.seq());
    out.putVarLong(info.dropped().size());
    for (LargeTransactionWriter.Dropped d : info.dropped()) {
      out.putVarLong(d.from());
      out.putVarLong(d.to() - d.from());
    }
    return s.finish(RecordType.COMMIT, SegmentFormat.FLAG_STREAMED, gtid);
  }

  static byte[] abort(Gtid gtid, boolean streamed, int chunkCount) {
    Scratch s = SCRATCH.get();
    s.start().putInt(chunkCount);
    return s.finish(RecordType.ABORT, streamed ? SegmentFormat.FLAG_STREAMED : 0, gtid);
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
  static Meta readMeta(ByteSource in, int version) {
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
   * Whether a TX or COMMIT record's source position carries {@code gtid} itself: the journal's GTID
   * is its source's own (MariaDB's), so the source's holes and domains are the journal's
   * ({@link CommitOrder}). Other records, and a payload that does not decode, do not declare it.
   */
  static boolean declaresSourceGtid(SegmentFormat.RecordType type, Gtid gtid, ByteSource payload, int version) {
    try {
      Meta meta = switch (type) {
        case TX -> readMeta(payload, version);
        case COMMIT -> readCommit(payload, version, false).meta();
        case CHUNK, ABORT -> null;
      };
      return meta != null && meta.sourcePosition().sourceGtid().equals(Optional.of(gtid));
    } catch (ByteSource.MalformedRecordException e) {
      return false;
    }
  }

  /**
   * Reads a COMMIT record's payload; {@code streamed}: its frame carries {@link
   * SegmentFormat#FLAG_STREAMED} (the stream key and dropped ranges follow; when false they are
   * left unread).
   */
  static CommitInfo readCommit(ByteSource in, int version, boolean streamed) {
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
    List<LargeTransactionWriter.Dropped> dropped = new java.util.ArrayList<>((int) ranges);
    long end = 0;
    for (long i = 0; i < ranges; i++) {
      long from = in.getVarLong();
      long length = in.getVarLong();
      if (from < end || length < 1 || length > changeCount - from) {
        throw new ByteSource.MalformedRecordException("COMMIT record drops changes " + from + " (+" + length
            + ") of " + changeCount + " after " + end);
      }
      end = from + length;
      dropped.add(new LargeTransactionWriter.Dropped(from, end));
    }
    return new CommitInfo(meta, chunkCount, changeCount, first, Optional.of(new Gtid(domain, server, seq)),
        List.copyOf(dropped));
  }
}
