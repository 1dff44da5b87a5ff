package dev.ferry.apply;

/** What a replica does when a change does not fit the target's rows. */
public enum ConflictPolicy {
  /** Stop the replica with an error naming the conflict; a restart retries the same transaction. */
  STOP,
  /** Leave the target row as it is, record the conflict and go on. */
  SKIP,
  /**
   * Make the target follow the source: an insert of an existing row updates it, an update of a
   * missing row inserts it, a delete of a missing row is ignored, an old image that differs is
   * overwritten. Every case is recorded.
   */
  OVERWRITE
}
