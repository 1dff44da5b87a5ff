package dev.ferry.journal;

import dev.ferry.journal.FrameReader.Status;
import dev.ferry.journal.SegmentFiles.SegmentFile;
import dev.ferry.journal.SegmentFormat.RecordType;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Checks that a consumer's acknowledged position is one this journal can continue from: at or
 * before the end of its last whole record, at the end of a transaction's record (or a segment's
 * start), and, when the consumer recorded them, the end of the record of the very transaction it
 * applied (same GTID, same checksum). Used by recovery (for every {@code consumers/*.pos}) and by
 * a replica before it streams (with its own {@code replication_control} row). A position in a
 * purged segment is not checked here: readers report it. Stateless.
 */
final class ConsumerCheck {
  /** What a consumer says it has applied last. */
  record Claim(String consumer, JournalPosition after, Optional<Gtid> gtid, OptionalLong checksum) {
  }

  private final Path dir;
  private final UUID id;

  ConsumerCheck(Path dir, UUID id) {
    this.dir = dir;
    this.id = id;
  }

  void check(Claim claim) throws IOException {
    List<SegmentFile> segments = SegmentFiles.list(dir);
    JournalPosition after = claim.after();
    if (segments.isEmpty() || after.segment() > segments.getLast().number()) {
      long next = segments.isEmpty() ? JournalRecovery.readPurgedThrough(dir) + 1 : segments.getLast().number() + 1;
      if (after.segment() < next || after.equals(JournalPosition.startOf(next))) {
        return;
      }
      throw ahead(claim, segments);
    }
    if (after.segment() < segments.getFirst().number() || after.offset() <= SegmentFormat.HEADER_LENGTH) {
      return;
    }
    Optional<SegmentFile> holding = segments.stream().filter(f -> f.number() == after.segment()).findFirst();
    if (holding.isEmpty()) {
      return; // a gap in the segment numbers: the reader reports it (JournalGapException)
    }
    SegmentFile s = holding.get();
    try (FrameReader frames = FrameReader.open(s.path(), s.number(), id, false).orElseThrow()) {
      long size = frames.size();
      while (frames.next(size) == Status.RECORD) {
        if (frames.offset == after.offset()) {
          checkRecordEndingThere(claim, frames);
          return;
        }
        if (frames.offset > after.offset()) {
          throw new ConsumerAheadException(dir, claim.consumer(), after, claim.gtid(),
              new JournalPosition(s.number(), frames.offset), Optional.of(frames.gtid), prefix() + "consumer "
              + claim.consumer() + " stopped at journal position " + after + applied(claim)
              + ", which is inside the journal's record of " + frames.gtid + " at " + s.number() + ":"
              + frames.recordOffset + ": the journal lost acknowledged records and was written again. "
              + remedy(claim));
        }
      }
    }
    throw ahead(claim, segments);
  }

  private void checkRecordEndingThere(Claim claim, FrameReader frames) throws ConsumerAheadException {
    boolean commit = frames.type == RecordType.TX || frames.type == RecordType.COMMIT;
    boolean sameGtid = claim.gtid().map(frames.gtid::equals).orElse(true);
    long crc = Integer.toUnsignedLong(frames.crc);
    boolean sameChecksum = claim.checksum().isEmpty() || claim.checksum().getAsLong() == crc;
    if (commit && sameGtid && sameChecksum) {
      return;
    }
    String journalHas = (commit ? "the transaction " : "a " + frames.type + " record of ") + frames.gtid
        + " (checksum " + hex(crc) + ")";
    throw new ConsumerAheadException(dir, claim.consumer(), claim.after(), claim.gtid(),
        new JournalPosition(frames.segment(), frames.offset), Optional.of(frames.gtid), prefix() + "consumer "
        + claim.consumer() + " applied " + claim.gtid().map(Gtid::toString).orElse("a transaction")
        + claim.checksum().stream().mapToObj(c -> " (checksum " + hex(c) + ")").findFirst().orElse("")
        + " ending at journal position " + claim.after() + ", but the journal's record ending there is "
        + journalHas + (sameGtid && commit ? ": the same GTID names two different transactions" : "")
        + "; the journal lost acknowledged records and was written again. " + remedy(claim));
  }

  private ConsumerAheadException ahead(Claim claim, List<SegmentFile> segments) throws IOException {
    Tail tail = tail(segments);
    return new ConsumerAheadException(dir, claim.consumer(), claim.after(), claim.gtid(), tail.end(), tail.lastGtid(),
        prefix() + "consumer " + claim.consumer() + " is ahead of the journal: it applied through "
        + claim.gtid().map(g -> "GTID " + g + " (journal position " + claim.after() + ")")
            .orElse("journal position " + claim.after())
        + ", the journal ends at " + tail.end() + tail.lastGtid().map(g -> " after GTID " + g).orElse(" with no transaction")
        + ". Acknowledged records were lost (a disk that lied about fsync, a restored backup); continuing would hand"
        + " out the GTIDs after " + tail.lastGtid().map(Gtid::toString).orElse("the journal's end")
        + " again for other transactions. " + remedy(claim));
  }

  private String remedy(Claim claim) {
    return "Re-initialise " + claim.consumer() + " from the source (or, if it is gone, delete "
        + SegmentFiles.consumerFile(dir, claim.consumer()) + ") and start again.";
  }

  private static String applied(Claim claim) {
    return claim.gtid().map(g -> " (after GTID " + g + ")").orElse("");
  }

  private String prefix() {
    return Side.journal(dir) + " ";
  }

  static String hex(long checksum) {
    return String.format("%08x", checksum);
  }

  /** The end of the journal's last whole record and the GTID of its last transaction. */
  record Tail(JournalPosition end, Optional<Gtid> lastGtid) {
  }

  private Tail tail(List<SegmentFile> segments) throws IOException {
    if (segments.isEmpty()) {
      return new Tail(JournalPosition.startOf(JournalRecovery.readPurgedThrough(dir) + 1), Optional.empty());
    }
    JournalPosition end = null;
    for (int i = segments.size() - 1; i >= 0; i--) {
      SegmentFile s = segments.get(i);
      Optional<FrameReader> opened = FrameReader.open(s.path(), s.number(), id, true);
      if (opened.isEmpty()) {
        continue;
      }
      Gtid last = null;
      long recordsEnd;
      try (FrameReader frames = opened.get()) {
        long size = frames.size();
        while (frames.next(size) == Status.RECORD) {
          if (frames.type == RecordType.TX || frames.type == RecordType.COMMIT) {
            last = frames.gtid;
          }
        }
        recordsEnd = frames.recordOffset;
      }
      if (end == null) {
        end = new JournalPosition(s.number(), recordsEnd);
      }
      if (last != null) {
        return new Tail(end, Optional.of(last));
      }
    }
    return new Tail(end == null ? JournalPosition.startOf(segments.getLast().number()) : end, Optional.empty());
  }
}
