package dev.ferry.node.run;

import dev.ferry.apply.LastApplied;
import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.ConsumerAheadException;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SideException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** What a replica checks of the journal it applies, and how it acknowledges what it applied. Stateless. */
final class ReplicaJournal {
  private ReplicaJournal() {
  }

  /**
   * A replica whose position the journal no longer holds (its tail was lost after the replica
   * applied it) would otherwise take the next transactions under GTIDs it already has: stop,
   * naming the replica's last GTID and position and the journal's end.
   */
  static void notAheadOfJournal(ReplicaSpec spec, Path journalDir, ReplicaPosition at, Optional<LastApplied> last)
      throws IOException {
    if (at.journalPosition().isEmpty()) {
      return;
    }
    try {
      Journal.checkConsumer(journalDir, spec.name(), at.journalPosition().get(),
          last.map(LastApplied::gtid), last.map(LastApplied::checksum).orElse(OptionalLong.empty()));
    } catch (ConsumerAheadException e) {
      throw new SideException(spec.side(), "stopped before applying anything: " + e.getMessage(), e);
    }
  }

  /** A transaction under the GTID the replica applied last, with other content, is refused, not skipped. */
  static void refuseReusedGtid(ReplicaSpec spec, Optional<LastApplied> last, JournalTransaction tx)
      throws SideException {
    if (last.isEmpty() || !last.get().gtid().equals(tx.gtid()) || last.get().checksum().isEmpty()) {
      return;
    }
    long applied = last.get().checksum().getAsLong();
    if (applied != tx.checksum()) {
      throw new SideException(spec.side(), String.format("the journal's %s at %s has checksum %08x, but the %s this"
          + " replica applied had checksum %08x: the same GTID names two different transactions (the journal lost"
          + " acknowledged records and was written again); refusing to skip or apply it. Re-initialise the replica.",
          tx.gtid(), tx.position(), tx.checksum(), tx.gtid(), applied));
    }
  }

  /** Acknowledges {@code p} with the GTID ending there, so the journal's recovery can check it. */
  static void acknowledge(ApplySource source, String replica, JournalPosition p, Gtid gtid)
      throws IOException {
    if (gtid == null) { // a position restored from the target with no GTID applied yet
      if (source.journal().isPresent()) {
        source.journal().get().acknowledge(replica, p);
      } else {
        Journal.acknowledge(source.journalDir(), replica, p);
      }
      return;
    }
    if (source.journal().isPresent()) {
      source.journal().get().acknowledge(replica, p, gtid);
    } else {
      Journal.acknowledge(source.journalDir(), replica, p, gtid); // the writer runs in another process
    }
  }
}
