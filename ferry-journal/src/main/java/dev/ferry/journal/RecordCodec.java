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
      byte[] frame = SegmentFormat.frame(type, gtid, payload, compressed);
      if (payload.array().length > (4 << 20)) {
        payload.clear();
      }
      return frame;
    }
  }

  /** What a TX or COMMIT record says about its transaction besides the changes. */
  record Meta(Instant commitTime, long schemaSequence, SourcePosition sourcePosition) {
  }

  /** The rest of a COMMIT record. */
  record CommitInfo(Meta meta, int chunkCount, long changeCount, JournalPosition firstChunk) {
  }

  static byte[] transaction(Transaction tx) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    putMeta(out, new Meta(tx.commitTime(), tx.schemaSequence(), tx.sourcePosition()));
    s.changes.writeChanges(out, tx.changes());
    return s.finish(RecordType.TX, tx.gtid());
  }

  static byte[] chunk(Gtid gtid, int index, List<? extends Change> changes) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    out.putInt(index);
    s.changes.writeChanges(out, changes);
    return s.finish(RecordType.CHUNK, gtid);
  }

  static byte[] commit(Gtid gtid, CommitInfo info) {
    Scratch s = SCRATCH.get();
    ByteSink out = s.start();
    putMeta(out, info.meta());
    out.putInt(info.chunkCount());
    out.putLong(info.changeCount());
    out.putLong(info.firstChunk().segment());
    out.putLong(info.firstChunk().offset());
    return s.finish(RecordType.COMMIT, gtid);
  }

  static byte[] abort(Gtid gtid, int chunkCount) {
    Scratch s = SCRATCH.get();
    s.start().putInt(chunkCount);
    return s.finish(RecordType.ABORT, gtid);
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
        case COMMIT -> readCommit(payload, version).meta();
        case CHUNK, ABORT -> null;
      };
      return meta != null && meta.sourcePosition().sourceGtid().equals(Optional.of(gtid));
    } catch (ByteSource.MalformedRecordException e) {
      return false;
    }
  }

  static CommitInfo readCommit(ByteSource in, int version) {
    Meta meta = readMeta(in, version);
    int chunkCount = in.getInt();
    long changeCount = in.getLong();
    long segment = in.getLong();
    long offset = in.getLong();
    if (segment < 1 || offset < 0 || chunkCount < 0 || changeCount < 0) {
      throw new ByteSource.MalformedRecordException("COMMIT record has impossible counts or first chunk "
          + segment + ":" + offset);
    }
    return new CommitInfo(meta, chunkCount, changeCount, new JournalPosition(segment, offset));
  }
}
