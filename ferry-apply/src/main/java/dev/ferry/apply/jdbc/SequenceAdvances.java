package dev.ferry.apply.jdbc;

import dev.ferry.apply.dialect.TargetCatalog;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@code SequenceAdvance} through the target's catalog and says once per sequence when the
 * target has no such sequence and keeps nothing of it (a MariaDB source's sequence on a PostgreSQL
 * replica where nobody created it): apply goes on, since the rows carry their ids anyway, but the
 * replica's sequence would not be ready to hand out ids after a failover. Not thread-safe: one per
 * {@link ChangeWriter}.
 */
final class SequenceAdvances {
  private static final Logger LOG = LoggerFactory.getLogger(SequenceAdvances.class);
  private final Set<TableId> told = new HashSet<>();

  void advance(TargetCatalog catalog, Connection c, TableId sequence, long value, Side side) throws SQLException {
    if (!catalog.advanceSequence(c, sequence, value) && told.add(sequence)) {
      LOG.warn("{} the source's sequence {} is not on this target: its advances (the first to {}) are not kept."
          + " Create the sequence here to have them kept (docs/apply.md), or leave it out with the replica's tables"
          + " filter", side, sequence, value);
    }
  }
}
