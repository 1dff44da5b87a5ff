package dev.ferry.apply.jdbc;

import dev.ferry.apply.SchemaSequenceException;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.Transaction;
import java.util.OptionalLong;

/**
 * The schema sequence barrier (MusicBrainz) for one transaction: it must belong to the replica's
 * schema sequence, or carry the DDL that takes the replica there. A replica that has applied
 * nothing takes the first transaction's sequence. Changes are seen one by one, so a large
 * transaction is checked while it streams.
 */
final class SchemaBarrier {
  private final Side side;
  private final Transaction tx;
  private final OptionalLong replica;
  private boolean known;
  private long current;
  private boolean hasDdl;

  /** For {@code tx} on a replica at schema sequence {@code replica} (empty: it has applied nothing). */
  SchemaBarrier(Side side, Transaction tx, OptionalLong replica) {
    this.side = side;
    this.tx = tx;
    this.replica = replica;
    this.known = replica.isPresent();
    this.current = replica.orElse(0);
  }

  /** Checks all of {@code tx}'s changes; returns the replica's sequence after it. */
  static long check(Side side, Transaction tx, OptionalLong replica) throws SchemaSequenceException {
    SchemaBarrier barrier = new SchemaBarrier(side, tx, replica);
    for (Change change : tx.changes()) {
      barrier.see(change);
    }
    return barrier.finish();
  }

  void see(Change change) throws SchemaSequenceException {
    if (change instanceof Change.Ddl ddl) {
      if (known && ddl.schemaSequence() < current) {
        throw refused("its DDL is for schema sequence " + ddl.schemaSequence()
            + " but the replica is at schema sequence " + current, ddl.schemaSequence(), current);
      }
      current = ddl.schemaSequence();
      known = true;
      hasDdl = true;
    }
  }

  /** After the last change: the replica's schema sequence once the transaction is applied. */
  long finish() throws SchemaSequenceException {
    if (!known) {
      return tx.schemaSequence();
    }
    if (tx.schemaSequence() != current) {
      String why = hasDdl ? " and its DDL only gets to " + current : " and it carries no DDL that gets there";
      long at = replica.orElse(current);
      throw refused("it belongs to schema sequence " + tx.schemaSequence()
          + " but the replica is at schema sequence " + at + why, tx.schemaSequence(), at);
    }
    return current;
  }

  private SchemaSequenceException refused(String why, long txSequence, long replicaSequence) {
    return new SchemaSequenceException(side, "cannot apply " + tx.gtid() + ": " + why, tx.gtid(), txSequence,
        replicaSequence);
  }
}
