package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import dev.ferry.journal.model.Transaction;
import java.time.Instant;
import java.util.List;

/**
 * Payloads of the four record types (layout in {@code docs/journal-format.md}). Encoding runs on
 * the appending thread, so the writer thread only copies bytes; each thread reuses its own
 * scratch buffers, and a frame costs one allocation (its exact-size array).
 */
final class RecordCodec {
  private static final SourcePosition.Kind[] KINDS = SourcePosition.Kind.values();
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
    out.putByte(meta.sourcePosition().kind().ordinal());
    out.putLong(meta.sourcePosition().value());
  }

  static Meta readMeta(ByteSource in) {
    long seconds = in.getLong();
    int nanos = in.getInt();
    if (nanos < 0 || nanos > 999_999_999 || seconds < Instant.MIN.getEpochSecond()
        || seconds > Instant.MAX.getEpochSecond()) {
      throw new ByteSource.MalformedRecordException("commit time " + seconds + "s " + nanos + "ns is impossible");
    }
    Instant commitTime = Instant.ofEpochSecond(seconds, nanos);
    long schemaSequence = in.getLong();
    int kind = in.getByte();
    if (kind >= KINDS.length) {
      throw new ByteSource.MalformedRecordException("unknown source position kind " + kind);
    }
    return new Meta(commitTime, schemaSequence, new SourcePosition(KINDS[kind], in.getLong()));
  }

  static CommitInfo readCommit(ByteSource in) {
    Meta meta = readMeta(in);
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
