package dev.ferry.apply.jdbc;

import dev.ferry.apply.ApplyException;
import dev.ferry.journal.model.Side;
import dev.ferry.journal.model.TableId;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting for a table being copied into the replica ({@code ferry table add} or {@code resync},
 * see {@link TableCopyGate}): a group or large transaction that met one of its changes was rolled
 * back and is applied again once the copy is marked done. Says so when it starts waiting and every
 * minute after (a copy that was stopped keeps the replica waiting until the command runs again).
 */
final class CopyWait {
  private static final Logger log = LoggerFactory.getLogger(CopyWait.class);
  static final Duration POLL = Duration.ofMillis(250);

  private final Side side;
  private final InstantSource clock;
  private Optional<TableId> waitingFor = Optional.empty();
  private Instant said = Instant.EPOCH;

  CopyWait(Side side, InstantSource clock) {
    this.side = side;
    this.clock = clock;
  }

  /** Waits a poll interval for the copy {@code copy} found running. */
  void await(TableCopyGate.CopyRunning copy) throws ApplyException {
    Instant now = clock.instant();
    if (!waitingFor.equals(Optional.of(copy.table())) || Duration.between(said, now).toMinutes() >= 1) {
      log.info("{} waiting for the copy of {} to finish before applying its changes (ferry table add or resync; if "
          + "that command was stopped, run it again)", side, copy.table());
      waitingFor = Optional.of(copy.table());
      said = now;
    }
    pause();
  }

  /** Whether {@code marks} show a table being copied into the replica. */
  static boolean copyRunning(Map<TableId, TableCopyGate.Mark> marks) {
    return marks.values().stream().anyMatch(m -> m.state() == TableCopyGate.State.COPYING);
  }

  void pause() throws ApplyException {
    try {
      Thread.sleep(POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplyException(side, "interrupted while waiting for a table copy", null, e);
    }
  }
}
