package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link ReplicaRunner} makes known what its target committed: to the journal, as its consumer
 * position (what purge keeps and a restarted writer checks), at most every {@link #EVERY} and only
 * when it moved; and,
 * while a primary waits for it ({@link ApplySource#awaitsApplied}: a synchronous push link at level
 * {@code apply}), to the node's push receiver after every commit, which acknowledges it to the
 * primary at once. A commit groups whatever the stream delivered meanwhile, so a burst is one report;
 * without a waiting primary a commit costs one volatile read more. Runner thread only.
 */
final class AppliedAcks {
  private static final Logger log = LoggerFactory.getLogger(AppliedAcks.class);
  /**
   * How often the consumer position is written: 1 s, or the milliseconds of the system property
   * {@code ferry.replica.ack-every-ms} (for tests that show a waiting primary does not depend on it;
   * not a setting).
   */
  static final Duration EVERY = Duration.ofMillis(Long.getLong("ferry.replica.ack-every-ms", 1000));

  private final ApplySource source;
  private final String replica;
  private final InstantSource clock;
  private final Duration every;
  private Instant lastWritten = Instant.EPOCH;
  private JournalPosition lastWrittenPosition;
  private JournalPosition lastReported;
  private long reports;

  AppliedAcks(ApplySource source, String replica, InstantSource clock, Duration every) {
    this.source = source;
    this.replica = replica;
    this.clock = clock;
    this.every = every;
  }

  /**
   * The target committed up to {@code position} ({@code gtid} the last transaction, null when none
   * was applied yet): reported at once to a waiting primary, written to the journal when due.
   */
  void committed(JournalPosition position, Gtid gtid) throws IOException {
    if (position == null) {
      return;
    }
    if (source.awaitsApplied() && !position.equals(lastReported)) {
      source.reportApplied(replica, position);
      lastReported = position;
      reports++;
      log.trace("[replica {}] reported {} to the waiting primary", replica, position);
    }
    Instant now = clock.instant();
    // An idle replica's position does not move: writing it again would cost two fsyncs a second for
    // nothing (nobody else writes a configured replica's consumer file: `replica drop` refuses one).
    if (Duration.between(lastWritten, now).compareTo(every) >= 0 && !position.equals(lastWrittenPosition)) {
      ReplicaJournal.acknowledge(source, replica, position, gtid);
      lastWritten = now;
      lastWrittenPosition = position;
    }
  }

  /** Writes {@code position} to the journal now (the runner stops). */
  void flush(JournalPosition position, Gtid gtid) throws IOException {
    if (position != null) {
      ReplicaJournal.acknowledge(source, replica, position, gtid);
      lastWritten = clock.instant();
      lastWrittenPosition = position;
    }
  }

  /** How many commits were reported to a waiting primary. */
  long reports() {
    return reports;
  }
}
