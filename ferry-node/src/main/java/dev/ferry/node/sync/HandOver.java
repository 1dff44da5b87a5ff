package dev.ferry.node.sync;

import dev.ferry.apply.ReplicaPosition;
import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Change;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.SourcePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Finds where a replica seeded from a snapshot starts streaming: the journal position right after
 * the last transaction the snapshot holds, with every such transaction's GTID counted as applied.
 * Everything the snapshot holds is copied; everything after it is applied by streaming.
 *
 * <p>Waits until the journal is known to hold every transaction of the snapshot ({@link
 * Boundary#proves}): for PostgreSQL, the snapshot's marker message, committed after it; for
 * SQLite, the transaction ending at the snapshot's change id; for MariaDB, every domain of its GTID
 * position reached. One thread.
 */
final class HandOver {
  /** Drain wait: once proven, the transactions the snapshot holds are in the journal already. */
  private static final Duration DRAIN = Duration.ofMillis(50);

  private HandOver() {
  }

  /** Where a snapshot stands among the journal's source positions. */
  sealed interface Boundary {
    SourcePosition snapshot();

    /** Whether the changes of a transaction at {@code at} are in the snapshot. */
    boolean inSnapshot(SourcePosition at);

    /** Whether {@code tx} proves the journal holds every transaction in the snapshot. */
    boolean proves(JournalTransaction tx) throws IOException;

    /** Whether the journal holds the snapshot's transactions before any proof (nothing to wait for). */
    boolean provenAtStart();

    /**
     * Whether transactions right after the proof, already journaled, may still be in the snapshot
     * (read them without waiting before handing over).
     */
    boolean drainsAfterProof();

    /**
     * Whether something other than a journaled transaction proves now that the journal holds the
     * snapshot's transactions (then the journal is read to its end before handing over).
     */
    default boolean provenByCapture() {
      return false;
    }
  }

  /**
   * A PostgreSQL snapshot at LSN {@code snapshot}: transactions committed before it are in it; its
   * marker message ({@code PostgresSnapshot.marker()}) is committed after it.
   */
  record Marker(SourcePosition snapshot, String prefix, String marker) implements Boundary {
    @Override
    public boolean inSnapshot(SourcePosition at) {
      return at.compareTo(snapshot) < 0;
    }

    @Override
    public boolean proves(JournalTransaction tx) throws IOException {
      return holdsMarker(tx, prefix, marker);
    }

    @Override
    public boolean provenAtStart() {
      return false;
    }

    @Override
    public boolean drainsAfterProof() {
      return false;
    }
  }

  /**
   * A SQLite snapshot at change id {@code snapshot}, taken where a poll ends (see
   * {@code SqliteSnapshot}): transactions ending at or before it are in it.
   */
  record ChangeId(SourcePosition snapshot) implements Boundary {
    @Override
    public boolean inSnapshot(SourcePosition at) {
      return at.compareTo(snapshot) <= 0;
    }

    @Override
    public boolean proves(JournalTransaction tx) {
      return tx.sourcePosition().compareTo(snapshot) >= 0;
    }

    /** A snapshot before the first change holds no journal transaction. */
    @Override
    public boolean provenAtStart() {
      return snapshot.value() == 0;
    }

    /** Schema changes journaled at the snapshot's change id, after the poll ending there, are in it too. */
    @Override
    public boolean drainsAfterProof() {
      return true;
    }
  }

  /**
   * A MariaDB snapshot at the binlog GTID position {@code gtids} (per domain the last GTID it holds;
   * empty: an empty binlog): a transaction is in it when its domain is there and its sequence number
   * at most that GTID's. Capture journals every transaction of the server in binlog order, so the
   * journal holds all of the snapshot once it holds a transaction after it (a later one in a domain
   * of the snapshot, or one in a new domain) or the snapshot's last transaction in every domain; so
   * does {@code journaled} turning true: capture running in this process has made durable
   * everything the source's binlog held at a mark taken after the snapshot (an idle source brings
   * no later transaction). Remembers the domains reached: one hand-over, one thread.
   */
  static final class SourceGtid implements Boundary {
    private final SourcePosition snapshot;
    private final Map<Long, Gtid> gtids;
    private final BooleanSupplier journaled;
    private final Set<Long> reached = new HashSet<>();

    SourceGtid(SourcePosition snapshot, Map<Long, Gtid> gtids, BooleanSupplier journaled) {
      this.snapshot = snapshot;
      this.gtids = Map.copyOf(gtids);
      this.journaled = journaled;
    }

    @Override
    public SourcePosition snapshot() {
      return snapshot;
    }

    @Override
    public boolean provenByCapture() {
      return journaled.getAsBoolean();
    }

    @Override
    public boolean inSnapshot(SourcePosition at) {
      return at.sourceGtid().map(g -> gtids.containsKey(g.domain()) && g.seq() <= gtids.get(g.domain()).seq())
          .orElse(false);
    }

    @Override
    public boolean proves(JournalTransaction tx) {
      Optional<Gtid> at = tx.sourcePosition().sourceGtid();
      if (gtids.isEmpty() || at.isEmpty()) {
        return gtids.isEmpty();
      }
      Gtid last = gtids.get(at.get().domain());
      if (last == null || at.get().seq() > last.seq()) {
        return true;
      }
      if (at.get().seq() == last.seq()) {
        reached.add(last.domain());
      }
      return reached.size() == gtids.size();
    }

    @Override
    public boolean provenAtStart() {
      return false;
    }

    @Override
    public boolean drainsAfterProof() {
      return false;
    }

    String position() {
      return gtids.isEmpty() ? "(none)" : gtids.values().stream().sorted().map(Gtid::toString)
          .collect(Collectors.joining(","));
    }
  }

  /**
   * @throws IOException if the journal does not prove within {@code wait} that it holds the
   *     snapshot's transactions, or cannot prove it holds everything after the snapshot
   */
  static ReplicaPosition find(Path journalDir, String journalId, Boundary boundary, Duration wait, String prefix)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    SourcePosition snapshot = boundary.snapshot();
    Map<Long, Long> lastSeqByDomain = new TreeMap<>();
    JournalTransaction last = null;
    boolean first = true;
    boolean proven = boundary.provenAtStart();
    try (JournalReader reader = JournalReader.openAtOldest(journalDir)) {
      JournalPosition start = reader.position();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(prefix + "the journal " + journalDir + " did not receive the snapshot's end ("
              + describe(boundary) + ") within " + wait.toSeconds() + " s: is capture running for this source?");
        }
        Optional<JournalTransaction> next = reader.next(proven ? DRAIN : Duration.ofNanos(Math.min(left,
            200_000_000L)));
        if (next.isEmpty()) {
          if (proven) {
            return position(journalId, last, start, lastSeqByDomain);
          }
          proven = boundary.provenByCapture();
          continue;
        }
        JournalTransaction tx = next.get();
        SourcePosition at = tx.sourcePosition();
        if (at.kind() != snapshot.kind()) {
          throw new IOException(prefix + "journal " + journalDir + " holds " + tx.gtid() + " at " + at
              + ", not from the same kind of source as the snapshot at " + snapshot + ": it cannot be handed over");
        }
        if (boundary.inSnapshot(at)) {
          last = tx;
          lastSeqByDomain.merge(tx.gtid().domain(), tx.gtid().seq(), Math::max);
        } else if (proven) {
          return position(journalId, last, start, lastSeqByDomain);
        } else if (first && JournalInspector.purgedThrough(journalDir) > 0) {
          throw new IOException(prefix + "the oldest transaction left in journal " + journalDir + " (" + tx.gtid()
              + " at " + at + ") is already after the snapshot (" + snapshot + ") and older segments were purged: "
              + "transactions between the snapshot and it may be gone; seed again while capture runs");
        }
        if (!proven && boundary.proves(tx)) {
          if (!boundary.drainsAfterProof()) {
            return position(journalId, last, start, lastSeqByDomain);
          }
          proven = true;
        }
        first = false;
      }
    }
  }

  private static String describe(Boundary boundary) {
    return switch (boundary) {
      case Marker m -> "marker " + m.marker();
      case ChangeId c -> "the transaction holding " + c.snapshot();
      case SourceGtid g -> "the last transaction of each domain of MariaDB GTID position " + g.position()
          + ", or one after it; on an idle source whose capture runs in another process, any write brings one";
    };
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
      return new ReplicaPosition(journalId, GtidSet.empty(), Optional.of(start), OptionalLong.empty(),
          Optional.empty());
    }
    StringBuilder text = new StringBuilder();
    lastSeqByDomain.forEach((domain, seq) -> text.append(text.isEmpty() ? "" : ",").append(domain).append(':')
        .append(seq));
    Instant commit = last.commitTime();
    return new ReplicaPosition(journalId, GtidSet.parse(text.toString()), Optional.of(last.nextPosition()),
        OptionalLong.of(last.schemaSequence()), Optional.of(commit));
  }
}
