package dev.ferry.node.run;

import dev.ferry.apply.dialect.ControlTables;
import dev.ferry.apply.dialect.Dialect;
import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.apply.jdbc.SkippedTransaction;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.TableId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code ferry skip} and {@code POST /api/replicas/{name}/skip}: a stopped replica goes past exactly
 * one transaction, the next one it would apply, without applying it ({@link SkippedTransaction}: its
 * GTID joins the applied set and a {@code skipped} row in the conflicts table records who, when and
 * why, in one target transaction). Refused for a GTID that is not the next one and for a replica
 * never started. The command line's {@link #skip} is refused while a process holds the journal (the
 * node's {@code ferry run}) and holds the journal's lock throughout, so the node cannot start
 * meanwhile; a running node skips through {@link FerryNode#skip}, with that replica's runner stopped.
 */
public final class ReplicaSkip {
  private ReplicaSkip() {
  }

  /** Why a skip was refused; nothing was written. */
  public static sealed class RefusedException extends IOException permits JournalHeldException {
    RefusedException(String message) {
      super(message);
    }
  }

  /** Refused because a running process of the node holds the journal: it must skip instead. */
  public static final class JournalHeldException extends RefusedException {
    JournalHeldException(String message) {
      super(message);
    }
  }

  /** What was skipped. */
  public record Skipped(Gtid gtid, String tables, long changes) {
  }

  /**
   * Skips {@code gtid} on {@code replica}, which applies the journal in {@code journalDir}.
   *
   * @throws RefusedException naming the GTID, the replica and what to do
   */
  public static Skipped skip(ReplicaSpec replica, Path journalDir, Gtid gtid, ConflictStore.Resolution resolution)
      throws IOException {
    Optional<Closeable> hold = Journal.hold(journalDir);
    if (hold.isEmpty()) {
      throw new JournalHeldException("journal " + journalDir + " is held by a running process of this node ('ferry"
          + " run' or 'ferry capture'; it holds " + SegmentFiles.lockFile(journalDir) + ")");
    }
    try (Closeable held = hold.get()) {
      Optional<ReplicaLock> applying = ReplicaLock.tryHold(journalDir, replica.name());
      if (applying.isEmpty()) { // a separate 'ferry apply' holds no journal.lock
        throw new JournalHeldException(ReplicaLock.heldBy(journalDir, replica.name()));
      }
      try (ReplicaLock locked = applying.get()) {
        return skipUnlocked(replica, journalDir, gtid, resolution);
      }
    }
  }

  /**
   * Skips {@code gtid} without taking the journal's lock: the caller makes sure nothing applies
   * {@code replica} meanwhile (its runner waits, stopped on an error; {@link SkippedTransaction}
   * refuses if the applied set moved all the same).
   */
  static Skipped skipUnlocked(ReplicaSpec replica, Path journalDir, Gtid gtid, ConflictStore.Resolution resolution)
      throws IOException {
    try (Connection c = replica.connect()) {
      String journalId = JournalInspector.journalId(journalDir).toString();
      ControlTables tables = Dialect.of(c).controlTables();
      Optional<ControlTables.Progress> row = tables.exists(c, ControlTables.PROGRESS)
          ? tables.readProgress(c, journalId) : Optional.empty();
      if (row.isEmpty()) {
        throw new RefusedException("replica " + replica.name() + " has applied nothing of journal " + journalDir
            + " (no progress row for it): there is nothing to skip past");
      }
      GtidSet applied = GtidSet.parse(row.get().appliedGtids());
      if (applied.contains(gtid)) {
        throw new RefusedException("replica " + replica.name() + " has applied " + gtid + " already");
      }
      JournalTransaction next = nextUnapplied(journalDir, row.get().journalPosition(), applied).orElseThrow(() ->
          new RefusedException("replica " + replica.name() + " has applied every transaction journal " + journalDir
              + " holds: " + gtid + " is not its next one"));
      if (!next.gtid().equals(gtid)) {
        throw new RefusedException(gtid + " is not the next transaction replica " + replica.name() + " would apply:"
            + " that is " + next.gtid() + " (at " + next.position() + "); only that one can be skipped");
      }
      String written = tablesOf(next);
      new SkippedTransaction(replica.name(), journalId, gtid, next.schemaSequence(), written, next.changeCount(),
          applied, resolution).record(c);
      return new Skipped(gtid, written, next.changeCount());
    } catch (SkippedTransaction.MovedException e) {
      throw new RefusedException(e.getMessage());
    } catch (SQLException e) {
      throw new IOException(replica.side() + " cannot skip " + gtid + ": " + e.getMessage(), e);
    }
  }

  /** The first transaction from {@code position} that {@code applied} does not hold. */
  private static Optional<JournalTransaction> nextUnapplied(Path dir, Optional<JournalPosition> position,
      GtidSet applied) throws IOException {
    try (JournalReader reader = position.isPresent() ? JournalReader.openAt(dir, position.get())
        : JournalReader.openAtOldest(dir)) {
      while (true) {
        Optional<JournalTransaction> tx = reader.next(Duration.ZERO);
        if (tx.isEmpty() || !applied.contains(tx.get().gtid())) {
          return tx;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading journal " + dir, e);
    }
  }

  /** The tables {@code tx} writes, sorted ({@code public.a, public.b}); {@code -} when none (DDL only). */
  private static String tablesOf(JournalTransaction tx) throws IOException {
    Set<String> names = new TreeSet<>();
    try (ChangeCursor changes = tx.changes()) {
      while (changes.advance()) {
        switch (changes.current()) {
          case Change.Insert i -> names.add(i.table().toString());
          case Change.Update u -> names.add(u.table().toString());
          case Change.Delete d -> names.add(d.table().toString());
          case Change.Truncate t -> t.tables().stream().map(TableId::toString).forEach(names::add);
          default -> {
          }
        }
      }
    }
    return names.isEmpty() ? "-" : String.join(", ", names);
  }
}
