package dev.ferry.transport.push;

import dev.ferry.journal.Journal;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary's supplier thread for one replica node (PBXT's): connects to the node's
 * {@link PushReceiver}, authenticates, learns where the node's journal copy ends, and streams from
 * there — the rest of the segment the copy holds open, sealed segments it lacks, then the live tail
 * of the open segment as the journal fsyncs it ({@link JournalTail}: never a byte a crash could
 * take back). On any error (refused, unreachable, a bad frame, no frame for the timeout) it logs
 * under the replica's name, shows it in {@link #status()}, waits and connects again; the wait
 * doubles from the heartbeat up to {@code retry-max}. Memory is one chunk of journal and the
 * socket's buffers: a slow receiver stops the writes (TCP's backpressure).
 *
 * <p>Thread-safe: {@link #status()}, {@link #acked()} and {@link #close()} from any thread.
 */
public final class PushSupplier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PushSupplier.class);
  /** How long {@link #close()} lets a streaming connection finish its frame and say goodbye. */
  private static final Duration GOODBYE = Duration.ofSeconds(2);
  private final Journal journal;
  private final PushTarget target;
  private final String prefix;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile SupplierSession current;
  private volatile LinkState state = LinkState.STARTING;
  private volatile Optional<String> lastError = Optional.empty();
  private volatile Optional<JournalPosition> sent = Optional.empty();
  private volatile Optional<JournalPosition> acked = Optional.empty();
  private volatile Optional<JournalPosition> applied = Optional.empty();
  private volatile long segments;
  private volatile long bytes;
  private volatile long reconnects;
  /** Whether a session reached streaming before: the next one that does is a reconnect. Supplier's thread only. */
  private boolean streamedBefore;
  private volatile Runnable onAcknowledged = () -> { };
  private volatile Optional<String> excluded = Optional.empty();
  /** The segment whose start was last recorded as the consumer position; touched by the ack reader only. */
  private long recordedSegment;

  private PushSupplier(Journal journal, PushTarget target) {
    this.journal = journal;
    this.target = target;
    this.prefix = "[push " + target.name() + " " + target.address() + "] ";
    this.thread = Thread.ofPlatform().name("ferry-push-" + target.name()).daemon(true).unstarted(this::run);
  }

  /** Starts pushing {@code journal} to {@code target}. */
  public static PushSupplier start(Journal journal, PushTarget target) {
    PushSupplier s = new PushSupplier(journal, target);
    s.thread.start();
    return s;
  }

  public PushTarget target() {
    return target;
  }

  /** What the link is doing: sent to, acknowledged (durable in the copy), applied on the replica node. */
  public LinkStatus status() {
    return new LinkStatus(target.name() + " " + target.address(), "push", state, acked, applied, Optional.empty(),
        segments, bytes, reconnects, excluded.or(() -> lastError), sent);
  }

  /** Where the replica node's copy is durable to, as it last acknowledged; empty before it did. */
  public Optional<JournalPosition> acked() {
    return acked;
  }

  /** Where the replica node's replicas have all applied to, as it last reported. */
  public Optional<JournalPosition> applied() {
    return applied;
  }

  /**
   * Whether the replica node acknowledged the record at {@code position} at {@code level}: its
   * acknowledged end is past the record's start (acknowledgements fall on record boundaries).
   */
  boolean reached(JournalPosition position, SyncLevel level) {
    Optional<JournalPosition> p = level == SyncLevel.APPLY ? applied : acked;
    return p.isPresent() && p.get().compareTo(position) > 0;
  }

  /** Called (on the acknowledgement reader's thread) after each acknowledgement. */
  void onAcknowledged(Runnable listener) {
    onAcknowledged = listener;
  }

  /** Set by the {@link SyncGate}: why this synchronous target is excluded, shown as the link's error. */
  void excluded(Optional<String> why) {
    excluded = why;
  }

  /**
   * Stops after the frame in hand, tells a replica node it streams to that this end stops (so it logs a
   * stop, not a failure) and closes the connection. A connection not streaming, or not done within
   * {@link #GOODBYE}, is closed at once.
   */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.interrupt(); // wakes the session's wait for the journal: it says goodbye and closes
    SupplierSession s = current;
    if (s != null && !(s.streamed() && thread.join(GOODBYE))) {
      s.abort();
    }
    thread.join(TimeUnit.SECONDS.toMillis(30));
    state = LinkState.STOPPED;
  }

  private void run() {
    Duration wait = target.link().heartbeat();
    Optional<String> logged = Optional.empty();
    boolean peerStopped = false;
    while (!stopping) {
      SupplierSession session = new SupplierSession(this, journal, target);
      current = session;
      try {
        session.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          return;
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (session.streamed()) {
          wait = target.link().heartbeat();
        }
        if (session.streamed()) {
          peerStopped = false;
        }
        if (e instanceof PeerStoppedException) {
          peerStopped = true;
          LOG.info("{}{}; connecting again in {} ms", prefix, message, wait.toMillis());
        } else if (!Optional.of(message).equals(logged)) {
          if (peerStopped && e instanceof ConnectException) {
            // The replica node said it stops (a restart, maintenance): not listening is expected for a while.
            LOG.warn("{}the replica node, which said it stops, is not listening ({}); connecting again in {} ms",
                prefix, message, wait.toMillis());
          } else {
            LOG.error("{}{}; connecting again in {} ms", prefix, message, wait.toMillis());
          }
        }
        logged = Optional.of(message);
        lastError = Optional.of(message);
        state = LinkState.RETRYING;
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Duration doubled = wait.multipliedBy(2);
      wait = doubled.compareTo(target.link().retryMax()) > 0 ? target.link().retryMax() : doubled;
    }
  }

  /**
   * Records durably that the replica node holds every segment before {@code segment}: the primary
   * may purge them (consumer {@link PushTarget#consumerName()}). Once per segment.
   */
  private void keepFrom(long segment) {
    try {
      journal.acknowledge(target.consumerName(), JournalPosition.startOf(segment));
      recordedSegment = segment;
    } catch (IOException e) {
      LOG.warn("{}cannot record that the replica node holds the segments before {}: {}", prefix, segment,
          e.getMessage());
    }
  }

  // ---- called by the session ----

  String prefix() {
    return prefix;
  }

  boolean stopping() {
    return stopping;
  }

  void streaming(JournalPosition from) {
    if (streamedBefore) {
      reconnects++;
    }
    streamedBefore = true;
    state = LinkState.STREAMING;
    lastError = Optional.empty();
    LOG.info("{}connected; the replica node's copy ends at {}, streaming from there", prefix, from);
  }

  /** {@code length} more bytes of journal sent (flushed to the socket), and a seal if {@code sealed}. */
  void sent(JournalPosition position, boolean sealed, long length) {
    sent = Optional.of(position);
    bytes += length;
    if (sealed) {
      segments++;
    }
  }

  void acknowledged(JournalPosition received, Optional<JournalPosition> replicasApplied) {
    if (replicasApplied.isPresent()) {
      applied = replicasApplied;
    }
    acked = Optional.of(received);
    onAcknowledged.run();
    if (received.segment() > recordedSegment) {
      keepFrom(received.segment());
    }
  }
}
