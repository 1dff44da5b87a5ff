package dev.ferry.journal.model;

import java.time.Instant;
import java.util.List;

/**
 * A committed source transaction: the unit the journal stores and replicas apply atomically.
 *
 * <p>Immutable record (the change list is copied) and thread-safe; no component is null.
 *
 * @param gtid its global id
 * @param commitTime commit time at the source, exact to the nanosecond as given
 * @param schemaSequence the source schema sequence the changes belong to
 * @param sourcePosition where it came from in the source (for de-duplication after a crash)
 * @param changes the changes in source order
 */
public record Transaction(Gtid gtid, Instant commitTime, long schemaSequence, SourcePosition sourcePosition,
    List<Change> changes) {
  public Transaction {
    if (gtid == null || commitTime == null || sourcePosition == null) {
      throw new IllegalArgumentException("transaction gtid, commit time and source position must not be null");
    }
    changes = List.copyOf(changes);
  }
}
