package dev.ferry.apply.jdbc;

/**
 * How a group's changes are run. A group starts {@link #FAST}; a failure narrows it, and the
 * group is replayed in the narrower mode, until it commits.
 *
 * <ul>
 *   <li>bulk: long runs of inserts go through the dialect's bulk path (COPY) or a set-based
 *       statement; off after one hit a constraint, so the conflict is found row by row;
 *   <li>deferred: batches stay open across the group's source transactions until its commit
 *       (see {@link ChangeWriter}); off ("exact") after any error that is not transient, so it is
 *       pinned on the transaction that caused it and those before it commit.
 * </ul>
 */
enum ApplyMode {
  FAST(true, true),
  ROWS_DEFERRED(false, true),
  BULK_EXACT(true, false),
  ROWS_EXACT(false, false);

  private final boolean bulk;
  private final boolean deferred;

  ApplyMode(boolean bulk, boolean deferred) {
    this.bulk = bulk;
    this.deferred = deferred;
  }

  boolean bulk() {
    return bulk;
  }

  boolean deferred() {
    return deferred;
  }

  /** This mode without the bulk path. */
  ApplyMode rowByRow() {
    return deferred ? ROWS_DEFERRED : ROWS_EXACT;
  }

  /** This mode running each transaction's changes before the next. */
  ApplyMode exact() {
    return bulk ? BULK_EXACT : ROWS_EXACT;
  }

  /** The exact mode a large transaction's parts run in, set-based or not. */
  static ApplyMode exact(boolean bulk) {
    return bulk ? BULK_EXACT : ROWS_EXACT;
  }
}
