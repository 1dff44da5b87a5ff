package dev.ferry.journal;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Bytes offered to a {@link JournalIngest} were refused: they belong to another journal, leave a
 * gap, overlap what the copy holds with other content, or are not whole, valid record frames.
 * Nothing of them was written. Carries the place: the segment, the byte offset in it and, when
 * the offending record could be read, its GTID.
 */
public class IngestRefusedException extends IOException {
  private final long segment;
  private final long offset;
  private final transient Optional<Gtid> gtid;
  private final String reason;

  public IngestRefusedException(Path journalDir, long segment, long offset, Optional<Gtid> gtid, String reason) {
    super(Side.journal(journalDir) + " " + place(segment, offset, gtid) + ": " + reason);
    this.segment = segment;
    this.offset = offset;
    this.gtid = gtid;
    this.reason = reason;
  }

  private static String place(long segment, long offset, Optional<Gtid> gtid) {
    return "refused segment " + segment + " at offset " + offset + gtid.map(g -> " (GTID " + g + ")").orElse("");
  }

  /**
   * The message without the journal it starts with, for a caller whose log lines already name the
   * journal: {@code refused segment 4 at offset 47 (GTID 0-1-140): why}.
   */
  public String withoutJournal() {
    return place(segment, offset, gtid) + ": " + reason;
  }

  /** Why the bytes were refused, without the journal, segment and offset the message starts with. */
  public String reason() {
    return reason;
  }

  /** The segment the refused bytes were offered for. */
  public long segment() {
    return segment;
  }

  /** The byte offset in that segment of the offending header field or record frame. */
  public long offset() {
    return offset;
  }

  /** The GTID of the offending record, when it could be read. */
  public Optional<Gtid> gtid() {
    return gtid;
  }
}
