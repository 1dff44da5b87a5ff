package dev.ferry.node.run;

import dev.ferry.journal.ChangeCursor;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.journal.model.Tag;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * A replica's operator controls as its apply loop sees them (docs/failover.md): whether it is
 * suspended (kept in its {@link ReplicaControlFile}, re-read every half second so {@code ferry
 * suspend} reaches a running node), where its {@code until} stops it, and until when its
 * {@code delay} holds a transaction back.
 *
 * <p>An {@code until} tag is recorded in the control file with its transaction's GTID before that
 * transaction is applied: a restart after the tag's commit stops before the next transaction, and
 * a crash before it applies up to the tag again. The runner's thread only, except {@link #suspend}.
 */
final class OperatorGate {
  private static final Duration REREAD = Duration.ofMillis(500);

  private final String replica;
  private final ApplyControls controls;
  private final Path journalDir;
  private final InstantSource clock;
  private volatile boolean suspended;
  private Instant readAt = Instant.EPOCH;
  /** The GTID after which this replica stops: the until GTID, or the transaction of the until tag once found. */
  private Optional<Gtid> stopAt = Optional.empty();

  OperatorGate(String replica, ApplyControls controls, Path journalDir, InstantSource clock) {
    this.replica = replica;
    this.controls = controls;
    this.journalDir = journalDir;
    this.clock = clock;
  }

  /**
   * Reads the control file at a (re)start. A tag found for an {@code until} that is no longer the
   * configured one is forgotten: changing the setting releases the replica.
   */
  void load() throws IOException {
    ReplicaControlFile.Content content = ReplicaControlFile.read(journalDir, replica);
    suspended = content.suspended();
    readAt = clock.instant();
    Optional<Tag> wanted = controls.until().filter(u -> u instanceof ApplyControls.AtTag)
        .map(u -> ((ApplyControls.AtTag) u).tag());
    Optional<ReplicaControlFile.Found> found = content.tag().filter(f -> wanted.equals(Optional.of(f.tag())));
    if (content.tag().isPresent() && found.isEmpty()) {
      ReplicaControlFile.write(journalDir, replica, new ReplicaControlFile.Content(content.suspended(),
          Optional.empty()));
    }
    stopAt = controls.until().filter(u -> u instanceof ApplyControls.AtGtid).map(u -> ((ApplyControls.AtGtid) u).gtid())
        .or(() -> found.map(ReplicaControlFile.Found::gtid));
  }

  /** Whether applying is suspended, re-reading the control file when it was read more than half a second ago. */
  boolean suspended() throws IOException {
    Instant now = clock.instant();
    if (Duration.between(readAt, now).compareTo(REREAD) >= 0) {
      suspended = ReplicaControlFile.read(journalDir, replica).suspended();
      readAt = now;
    }
    return suspended;
  }

  /** Suspends or resumes, durably. Any thread. */
  void suspend(boolean pause) throws IOException {
    ReplicaControlFile.setSuspended(journalDir, replica, pause);
    suspended = pause;
    readAt = clock.instant();
  }

  /** Whether the runner must wait before {@code tx}: suspended, past the {@code until} point, or delayed. */
  boolean mustWait(JournalTransaction tx) throws IOException {
    return suspended() || stopBefore(tx).isPresent() || holdUntil(tx).isPresent();
  }

  /** Why the replica, having applied {@code applied}, stands at its {@code until} already; empty if it does not. */
  Optional<String> reached(GtidSet applied) {
    return stopAt.filter(applied::contains).map(g -> reason());
  }

  /** Why {@code tx} must not be applied: it lies past the {@code until} point in its domain. */
  Optional<String> stopBefore(JournalTransaction tx) {
    return stopAt.filter(g -> g.domain() == tx.gtid().domain() && g.seq() < tx.gtid().seq()).map(g -> reason());
  }

  /**
   * Looks for the {@code until} tag in {@code tx} before it is applied; when found, records it
   * durably with the transaction's GTID.
   */
  void inspect(JournalTransaction tx) throws IOException {
    if (stopAt.isPresent() || controls.until().isEmpty() || !(controls.until().get() instanceof ApplyControls.AtTag at)) {
      return;
    }
    try (ChangeCursor changes = tx.changes()) {
      while (changes.advance()) {
        if (Tag.of(changes.current()).filter(at.tag()::equals).isPresent()) {
          ReplicaControlFile.write(journalDir, replica, ReplicaControlFile.read(journalDir, replica)
              .withTag(new ReplicaControlFile.Found(at.tag(), tx.gtid())));
          stopAt = Optional.of(tx.gtid());
          return;
        }
      }
    }
  }

  /** Why the replica stops now that {@code tx} is applied: it was the {@code until} point. */
  Optional<String> stopAfter(JournalTransaction tx) {
    return stopAt.filter(g -> g.domain() == tx.gtid().domain() && g.seq() == tx.gtid().seq()).map(g -> reason());
  }

  /** When {@code tx} may be applied, if that is later than now ({@code delay}). */
  Optional<Instant> holdUntil(JournalTransaction tx) {
    if (controls.delay().isZero()) {
      return Optional.empty();
    }
    Instant due = tx.commitTime().plus(controls.delay());
    return clock.instant().isBefore(due) ? Optional.of(due) : Optional.empty();
  }

  /** What status shows while {@code tx} is held back until {@code due}. */
  String delayed(JournalTransaction tx, Instant due) {
    return "delayed by " + controls.delay().toString().substring(2).toLowerCase(java.util.Locale.ROOT)
        + " (replicas[].delay): holding " + tx.gtid() + ", committed "
        + tx.commitTime() + ", until " + due;
  }

  private String reason() {
    return "reached until " + controls.until().orElseThrow() + " at " + stopAt.orElseThrow()
        + "; applies nothing more until replicas[].until is changed";
  }
}
