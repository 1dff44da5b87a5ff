package dev.ferry.node.sync;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.Change;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.GtidSet;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalPosition;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SourcePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Finds where a replica seeded from a snapshot starts streaming: the journal position right after
 * the last transaction whose commit LSN is below the snapshot's, with every such transaction's GTID
 * counted as applied. Everything before the snapshot position is in the snapshot; everything at or
 * after it is not, and is applied by streaming.
 *
 * <p>Waits until the journal holds the snapshot's marker message (committed after the snapshot):
 * from then on the journal is known to hold every transaction before the snapshot, so nothing
 * journaled later can belong before it. One thread.
 */
final class HandOver {
  private HandOver() {
  }

  /**
   * @param snapshot the snapshot's position ({@code pg-lsn})
   * @param marker the snapshot's marker content ({@code PostgresSnapshot.marker()})
   * @throws IOException if the marker is not journaled within {@code wait}, or the journal cannot
   *     prove it holds everything after the snapshot
   */
  static ReplicaPosition find(Path journalDir, String journalId, SourcePosition snapshot, String markerPrefix,
      String marker, Duration wait, String prefix) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Map<Long, Long> lastSeqByDomain = new TreeMap<>();
    JournalTransaction last = null;
    boolean first = true;
    try (JournalReader reader = JournalReader.openAtOldest(journalDir)) {
      JournalPosition start = reader.position();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(prefix + "the journal " + journalDir + " did not receive the snapshot's marker ("
              + marker + ") within " + wait.toSeconds() + " s: is capture running for this source?");
        }
        Optional<JournalTransaction> next = reader.next(Duration.ofNanos(Math.min(left, 200_000_000L)));
        if (next.isEmpty()) {
          continue;
        }
        JournalTransaction tx = next.get();
        SourcePosition at = tx.sourcePosition();
        if (at.kind() != SourcePosition.Kind.PG_LSN) {
          throw new IOException(prefix + "journal " + journalDir + " holds " + tx.gtid() + " at " + at
              + ", not from PostgreSQL: a snapshot of a PostgreSQL source cannot be handed over to it");
        }
        if (at.compareTo(snapshot) < 0) {
          last = tx;
          lastSeqByDomain.merge(tx.gtid().domain(), tx.gtid().seq(), Math::max);
        } else if (first && JournalInspector.purgedThrough(journalDir) > 0) {
          throw new IOException(prefix + "the oldest transaction left in journal " + journalDir + " (" + tx.gtid()
              + " at " + at + ") is already after the snapshot (" + snapshot + ") and older segments were purged: "
              + "transactions between the snapshot and it may be gone; seed again while capture runs");
        } else if (holdsMarker(tx, markerPrefix, marker)) {
          return position(journalId, last, start, lastSeqByDomain);
        }
        first = false;
      }
    }
  }

  private static boolean holdsMarker(JournalTransaction tx, String prefix, String marker) throws IOException {
    byte[] wanted = marker.getBytes(StandardCharsets.UTF_8);
    try (ChangeCursor changes = tx.changes()) {
      while (changes.advance()) {
        if (changes.current() instanceof Change.Message m && m.prefix().equals(prefix)
            && Arrays.equals(m.content(), wanted)) {
          return true;
        }
      }
    }
    return false;
  }

  private static ReplicaPosition position(String journalId, JournalTransaction last, JournalPosition start,
      Map<Long, Long> lastSeqByDomain) {
    if (last == null) {
      return new ReplicaPosition(journalId, GtidSet.empty(), Optional.of(start.toString()), OptionalLong.empty(),
          Optional.empty());
    }
    StringBuilder text = new StringBuilder();
    lastSeqByDomain.forEach((domain, seq) -> text.append(text.isEmpty() ? "" : ",").append(domain).append(':')
        .append(seq));
    Instant commit = last.commitTime();
    return new ReplicaPosition(journalId, GtidSet.parse(text.toString()), Optional.of(last.nextPosition().toString()),
        OptionalLong.of(last.schemaSequence()), Optional.of(commit));
  }
}
