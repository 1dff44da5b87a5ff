package dev.ferry.journal;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A consumer (a replica) has applied what the journal does not hold: its acknowledged position is
 * past the journal's end, falls inside a record, or ends a record whose GTID or checksum differs
 * from the transaction the consumer applied. The journal lost acknowledged records (a disk that
 * lied about fsync, a restored backup) and, continuing, would hand out GTIDs the consumer already
 * has with other content. Carries both sides; the message names them.
 */
public class ConsumerAheadException extends java.io.IOException {
  private final transient Path dir;
  private final String consumer;
  private final JournalPosition consumerPosition;
  private final transient Optional<Gtid> consumerGtid;
  private final JournalPosition journalEnd;
  private final transient Optional<Gtid> journalLastGtid;

  ConsumerAheadException(Path dir, String consumer, JournalPosition consumerPosition, Optional<Gtid> consumerGtid,
      JournalPosition journalEnd, Optional<Gtid> journalLastGtid, String message) {
    super(message);
    this.dir = dir;
    this.consumer = consumer;
    this.consumerPosition = consumerPosition;
    this.consumerGtid = consumerGtid;
    this.journalEnd = journalEnd;
    this.journalLastGtid = journalLastGtid;
  }

  /** The same consumer's exception with another message (recovery names every consumer ahead). */
  ConsumerAheadException withMessage(String message) {
    ConsumerAheadException copy = new ConsumerAheadException(dir, consumer, consumerPosition, consumerGtid, journalEnd,
        journalLastGtid, message);
    copy.initCause(this);
    return copy;
  }

  public Path directory() {
    return dir;
  }

  public String consumer() {
    return consumer;
  }

  /** The position after the consumer's last applied transaction. */
  public JournalPosition consumerPosition() {
    return consumerPosition;
  }

  /** The GTID of the consumer's last applied transaction, when it recorded one. */
  public Optional<Gtid> consumerGtid() {
    return consumerGtid;
  }

  /** The end of the journal's last whole record. */
  public JournalPosition journalEnd() {
    return journalEnd;
  }

  /** The GTID of the journal's last transaction, if it holds one. */
  public Optional<Gtid> journalLastGtid() {
    return journalLastGtid;
  }
}
