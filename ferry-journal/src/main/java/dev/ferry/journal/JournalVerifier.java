package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.codec.ByteSource;
import dev.ferry.journal.codec.RecordCodec;
import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Checks a whole journal directory ({@code ferry journal verify}): every segment header (magic,
 * version, UUID, number), every record's CRC, type and decoding, sealed segments' record counts
 * against their names, that segment numbers have no gap, and that the GTIDs of the commits follow
 * the journal's rule ({@link CommitOrder}: no duplicate, no step backwards, no gap, no foreign
 * domain). An incomplete record or a checksum mismatch at the end of the open segment is a torn
 * tail (recovery truncates it), not a problem; a checksummed record of an unknown type is one
 * wherever it is. Safe while a writer runs in another process. Thread-safe (stateless).
 */
public final class JournalVerifier {
  private JournalVerifier() {
  }

  /**
   * One problem found.
   *
   * @param path the segment file (or the missing file's name)
   * @param offset byte offset of the bad record or header field
   * @param gtid the record's GTID when it could be read
   * @param message what is wrong, with expected and actual values
   */
  public record Problem(Path path, long offset, Optional<Gtid> gtid, String message) {
    @Override
    public String toString() {
      return path + " at offset " + offset + gtid.map(g -> " (GTID " + g + ")").orElse("") + ": " + message;
    }
  }

  /** The outcome: how much was checked and what is wrong (empty when all is well). */
  public record Report(int segments, long records, List<Problem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** Verifies the journal in {@code dir}; I/O errors reading it are thrown, damage is reported. */
  public static Report verify(Path dir) throws IOException {
    UUID id = JournalIdentity.read(dir);
    List<SegmentFile> segments = SegmentFiles.list(dir);
    List<Problem> problems = new ArrayList<>();
    CommitOrder order = new CommitOrder();
    long records = 0;
    for (int i = 0; i < segments.size(); i++) {
      SegmentFile s = segments.get(i);
      if (i > 0 && s.number() != segments.get(i - 1).number() + 1) {
        long missing = segments.get(i - 1).number() + 1;
        problems.add(new Problem(dir.resolve(SegmentFiles.openName(missing)), 0, Optional.empty(),
            "segment " + missing + " is missing (gap before " + s.fileName() + ")"));
        order.restart();
      }
      records += verifySegment(id, s, order, problems);
    }
    return new Report(segments.size(), records, List.copyOf(problems));
  }

  private static long verifySegment(UUID id, SegmentFile s, CommitOrder order, List<Problem> problems)
      throws IOException {
    FrameReader frames;
    try {
      Optional<FrameReader> opened = FrameReader.open(s.path(), s.number(), id, s.open());
      if (opened.isEmpty()) {
        return 0;
      }
      frames = opened.get();
    } catch (JournalCorruptionException e) {
      problems.add(new Problem(s.path(), e.offset(), Optional.empty(), e.getMessage()));
      order.restart();
      return 0;
    } catch (JournalMismatchException e) {
      problems.add(new Problem(s.path(), 16, Optional.empty(), e.getMessage()));
      order.restart();
      return 0;
    }
    try (frames) {
      return verifyRecords(s, frames, order, problems);
    }
  }

  private static long verifyRecords(SegmentFile s, FrameReader frames, CommitOrder order, List<Problem> problems)
      throws IOException {
    long size = frames.size();
    long count = 0;
    Status status;
    while ((status = frames.next(size)) == Status.RECORD || status == Status.INVALID) {
      count++;
      if (status == Status.INVALID) {
        problems.add(new Problem(s.path(), frames.recordOffset, Optional.empty(), frames.problem));
        order.restart();
        frames.skipInvalid();
        continue;
      }
      try {
        decode(frames);
      } catch (ByteSource.MalformedRecordException e) {
        problems.add(new Problem(s.path(), frames.recordOffset, Optional.of(frames.gtid),
            frames.type + " record does not decode: " + e.getMessage()));
        order.restart();
        return count;
      }
      order.see(frames.type, frames.streamed(), frames.gtid, () -> CommitOrder.declaresSourceGtid(frames.type, frames.gtid,
          frames.payload(), frames.header.version()), s.path(), frames.recordOffset).ifPresent(message ->
          problems.add(new Problem(s.path(), frames.recordOffset, Optional.of(frames.gtid), message)));
    }
    if (status != Status.END && !s.open()) {
      problems.add(new Problem(s.path(), frames.recordOffset, Optional.empty(), frames.problem));
      order.restart();
    } else if (!s.open() && count != s.recordCount()) {
      problems.add(new Problem(s.path(), size, Optional.empty(), "the name says " + s.recordCount()
          + " records, the segment holds " + count));
    }
    return count;
  }

  private static void decode(FrameReader frames) {
    ByteSource in = frames.payload();
    int version = frames.header.version();
    switch (frames.type) {
      case TX -> {
        RecordCodec.readMeta(in, version);
        RecordCodec.readChanges(in, version);
      }
      case CHUNK -> {
        RecordCodec.readChunkIndex(in);
        RecordCodec.readChanges(in, version);
      }
      case COMMIT -> RecordCodec.readCommit(in, version, frames.streamed());
      case ABORT -> RecordCodec.readAbort(in);
    }
  }
}
