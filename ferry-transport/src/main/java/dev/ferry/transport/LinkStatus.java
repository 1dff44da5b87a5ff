package dev.ferry.transport;

import dev.ferry.journal.model.JournalPosition;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one link of a replica node: what it received into the journal copy and what the
 * replicas applied from it. Immutable.
 *
 * @param name what the link reads from (the incoming directory, a URL)
 * @param kind {@code directory}, {@code http}, {@code push}
 * @param state what it is doing
 * @param received where the copy ends (everything before is durable in it), once the copy exists
 * @param applied the lowest position every replica of the copy acknowledged as applied, if any did
 * @param waitingFor the segment number the copy continues with, while it is not there
 * @param segments sealed segments received by this process
 * @param bytes bytes of journal this process took into the copy over the link (a primary's push
 *     link: sent); a refused or corrupted transfer and a redelivery of a segment the copy holds are
 *     not counted
 * @param reconnects times this process re-established the link after it was lost or refused: a
 *     push connection that reached streaming again, a pass of a pulling link that got through again
 *     after failed ones; not the first connect
 * @param lastError why the next segment was refused, or the last I/O error
 * @param sent on a primary's push link, how far the supplier has sent (then {@code received} is
 *     what the replica node acknowledged as durable in its copy)
 */
public record LinkStatus(String name, String kind, LinkState state, Optional<JournalPosition> received,
    Optional<JournalPosition> applied, Optional<Long> waitingFor, long segments, long bytes, long reconnects,
    Optional<String> lastError, Optional<JournalPosition> sent) {
  public LinkStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(state, "state");
    received = Objects.requireNonNullElse(received, Optional.empty());
    applied = Objects.requireNonNullElse(applied, Optional.empty());
    waitingFor = Objects.requireNonNullElse(waitingFor, Optional.empty());
    lastError = Objects.requireNonNullElse(lastError, Optional.empty());
    sent = Objects.requireNonNullElse(sent, Optional.empty());
  }

  /** A receiving link's status (nothing sent). */
  public LinkStatus(String name, String kind, LinkState state, Optional<JournalPosition> received,
      Optional<JournalPosition> applied, Optional<Long> waitingFor, long segments, long bytes, long reconnects,
      Optional<String> lastError) {
    this(name, kind, state, received, applied, waitingFor, segments, bytes, reconnects, lastError, Optional.empty());
  }

  /** Seen by a process that is gone. */
  public LinkStatus stopped() {
    return new LinkStatus(name, kind, LinkState.STOPPED, received, applied, waitingFor, segments, bytes, reconnects,
        lastError, sent);
  }
}
