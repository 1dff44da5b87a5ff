package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyException;
import dev.ferry.apply.ConflictException;
import dev.ferry.apply.ConflictType;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.Side;
import dev.ferry.sql.SqlErrorText;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier's conflicts once their target transaction is over: counts by type of those
 * committed, and the conflict that stopped the replica, recorded in a target transaction of its
 * own (the one it belonged to was rolled back) and turned into the exception that names it.
 * Used by the applier's thread; {@link #counts()} may be read from any.
 */
final class ConflictHandling {
  private static final Logger log = LoggerFactory.getLogger(ConflictHandling.class);

  private final Side side;
  private final ConflictLog conflictLog;
  private final TargetLink link;
  /** By {@link ConflictType#ordinal()}; written by the applier's thread, read by any (a parallel applier's totals). */
  private final AtomicLongArray counts = new AtomicLongArray(ConflictType.values().length);

  ConflictHandling(Side side, ConflictLog conflictLog, TargetLink link) {
    this.side = side;
    this.conflictLog = conflictLog;
    this.link = link;
  }

  /** Counts conflicts their committed target transaction recorded. */
  void committed(Collection<ConflictRecord> conflicts) {
    conflicts.forEach(c -> counts.incrementAndGet(c.type().ordinal()));
  }

  /** The counts of the types met so far; thread-safe. */
  Map<ConflictType, Long> counts() {
    Map<ConflictType, Long> met = new EnumMap<>(ConflictType.class);
    for (ConflictType type : ConflictType.values()) {
      long n = counts.get(type.ordinal());
      if (n > 0) {
        met.put(type, n);
      }
    }
    return Map.copyOf(met);
  }

  /** The exception for {@code stop} of {@code gtid}; records the conflict that caused it, if any. */
  ApplyException stopped(StopApply stop, Gtid gtid) {
    Optional<ConflictRecord> conflict = stop.conflict();
    if (conflict.isEmpty()) {
      return new ApplyException(stop.side(), stop.detail(), gtid, null);
    }
    ConflictRecord c = conflict.get();
    counts.incrementAndGet(c.type().ordinal());
    try {
      Connection target = link.connection();
      conflictLog.insert(target, c);
      link.durable.await(side); // the transaction it names is in the journal for good
      target.commit();
    } catch (SQLException e) {
      link.rollbackQuietly();
      log.warn("{} could not record the conflict in {}: {}", side, conflictLog.table(), SqlErrorText.describe(e));
    }
    return new ConflictException(stop.side(), stop.detail(), gtid, c.type(), c.table(), c.key());
  }
}
