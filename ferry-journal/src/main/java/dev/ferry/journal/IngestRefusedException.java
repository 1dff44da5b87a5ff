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
    super(Side.journal(journalDir) + " refused segment " + segment + " at offset " + offset
        + gtid.map(g -> " (GTID " + g + ")").orElse("") + ": " + reason);
    this.segment = segment;
    this.offset = offset;
    this.gtid = gtid;
    this.reason = reason;
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
