package dev.ferry.journal;

import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.codec.ByteSink;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Transaction;
import java.util.List;

/**
 * Complete frames of the four record types: the codec's payload inside {@link SegmentFormat}'s
 * frame. Encoding runs on the appending thread, so the writer thread only copies bytes; each thread
 * reuses its own scratch buffers, and a frame costs one allocation (its exact-size array).
 */
final class RecordFrames {
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private RecordFrames() {
  }

  private static final class Scratch {
    final RecordCodec.Encoder encoder = new RecordCodec.Encoder();
    final ByteSink compressed = new ByteSink(64 << 10);

    byte[] frame(RecordType type, int flags, Gtid gtid, ByteSink payload) {
      byte[] frame = SegmentFormat.frame(type, flags, gtid, payload, compressed);
      if (payload.array().length > (4 << 20)) {
        payload.clear();
      }
      return frame;
    }
  }

  static byte[] transaction(Transaction tx) {
    Scratch s = SCRATCH.get();
    return s.frame(RecordType.TX, 0, tx.gtid(), s.encoder.transaction(tx));
  }

  /** A CHUNK record; {@code streamed}: {@code gtid} is a stream key ({@link SegmentFormat#FLAG_STREAMED}). */
  static byte[] chunk(Gtid gtid, boolean streamed, int index, List<? extends Change> changes) {
    Scratch s = SCRATCH.get();
    return s.frame(RecordType.CHUNK, streamed ? SegmentFormat.FLAG_STREAMED : 0, gtid, s.encoder.chunk(index, changes));
  }

  /** A COMMIT record, marked streamed when {@code info} carries a stream key. */
  static byte[] commit(Gtid gtid, RecordCodec.CommitInfo info) {
    Scratch s = SCRATCH.get();
    int flags = info.streamKey().isPresent() ? SegmentFormat.FLAG_STREAMED : 0;
    return s.frame(RecordType.COMMIT, flags, gtid, s.encoder.commit(info));
  }

  static byte[] abort(Gtid gtid, boolean streamed, int chunkCount) {
    Scratch s = SCRATCH.get();
    return s.frame(RecordType.ABORT, streamed ? SegmentFormat.FLAG_STREAMED : 0, gtid, s.encoder.abort(chunkCount));
  }
}
