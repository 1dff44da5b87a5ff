package dev.ferry.apply;

import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A replica's progress as its target's {@code replication_control} row records it.
 *
 * @param source the source journal the row belongs to; never null
 * @param applied GTIDs applied and committed on the target; never null, empty for a new replica
 * @param journalPosition the journal position after the last applied transaction; empty if never
 *     given
 * @param schemaSequence the target's schema sequence; empty until the first transaction is applied
 * @param lastCommitTime source commit time of the last applied transaction (microsecond precision
 *     on PostgreSQL); empty for a new replica
 */
public record ReplicaPosition(String source, GtidSet applied, Optional<JournalPosition> journalPosition,
    OptionalLong schemaSequence, Optional<Instant> lastCommitTime) {
  public ReplicaPosition {
    if (source == null || applied == null || journalPosition == null || schemaSequence == null
        || lastCommitTime == null) {
      throw new IllegalArgumentException("replica position components must not be null");
    }
  }

  /** The position of a replica that has applied nothing from {@code source}. */
  public static ReplicaPosition initial(String source) {
    return new ReplicaPosition(source, GtidSet.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty());
  }
}
