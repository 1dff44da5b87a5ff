package dev.ferry.apply;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;

/** A transaction belongs to another schema sequence than the replica's (the schema barrier). */
public final class SchemaSequenceException extends ApplyException {
  private final long transactionSequence;
  private final long replicaSequence;

  public SchemaSequenceException(Side side, String message, Gtid gtid, long transactionSequence,
      long replicaSequence) {
    super(side, message, gtid, null);
    this.transactionSequence = transactionSequence;
    this.replicaSequence = replicaSequence;
  }

  public long transactionSequence() {
    return transactionSequence;
  }

  public long replicaSequence() {
    return replicaSequence;
  }
}
