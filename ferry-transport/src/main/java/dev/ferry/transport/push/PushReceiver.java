package dev.ferry.transport.push;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.CopyFeed;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica node's end of TCP push ({@code journal.from.listen}): listens for the primary's
 * supplier, authenticates it, tells it where the journal copy ends, and writes what it streams into
 * the copy ({@link JournalIngest}: records appended and fsynced before they are acknowledged,
 * segments sealed as the primary sealed them, so byte-identical). A session reads frames on one
 * thread into a queue bounded in bytes and writes them on another, so the next frames arrive while
 * the previous ones are written and fsynced; DATA frames that queued up meanwhile are written with
 * one fsync, and each ACK still carries only the durable end. One supplier at a time; another
 * connecting meanwhile is told so and closed. A supplier that sends a bad frame, fails
 * authentication, pushes another journal or bytes the copy refuses is closed with an error the
 * status shows; the receiver goes on listening. What the node's replicas applied goes back in each
 * ACK: the lowest of their consumer positions, or of what they reported committing
 * ({@link #applied(String, JournalPosition)}, done after every commit while the supplier's link is
 * synchronous at level {@code apply}), which wakes the session to acknowledge it at once.
 *
 * <p>Thread-safe: {@link #status()}, {@link #awaitCopy} and {@link #close()} from any thread.
 */
public final class PushReceiver implements CopyFeed {
  private static final Logger LOG = LoggerFactory.getLogger(PushReceiver.class);
  private final JournalConfig copy;
  private final JournalFrom.Listen config;
  private final Set<String> replicas;
  private final ServerSocket server;
  private final String prefix;
  private final Thread acceptor;
  private final CountDownLatch created = new CountDownLatch(1);
  private final AtomicReference<Socket> active = new AtomicReference<>();
  /** Touched by one session thread at a time (the one holding {@link #active}). */
  private JournalIngest ingest;
  private volatile Thread session;
  private volatile boolean stopping;
  private volatile LinkState state = LinkState.WAITING;
  private volatile Optional<String> lastError = Optional.empty();
  private volatile Optional<JournalPosition> received = Optional.empty();
  private volatile long segments;
  private volatile long bytes;
  private volatile long reconnects;
  /** Whether a supplier reached streaming before: the next one that does is a reconnect. */
  private boolean streamedBefore;
  private static final long APPLIED_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** The replicas' positions in the copy's consumer files, read at most every 50 ms. */
  private volatile Map<String, JournalPosition> acknowledged = Map.of();
  private volatile long appliedReadNanos = System.nanoTime() - APPLIED_EVERY_NANOS;
  /** What the replicas reported committing ({@link #applied(String, JournalPosition)}), ahead of their files. */
  private final Map<String, JournalPosition> reported = new ConcurrentHashMap<>();
  /** The connection being served: told of the replicas' commits, and told when this end stops. */
  private volatile ReceiverSession current;
  private volatile boolean awaitsApplied;
  /** Frames read from suppliers' sockets, heartbeats included (tests watch the reading run ahead). */
  private final java.util.concurrent.atomic.AtomicLong framesRead = new java.util.concurrent.atomic.AtomicLong();
  /** Run on the writing thread before each write into the copy; a test holds a write there. */
  private volatile Runnable beforeWrite = () -> { };

  private PushReceiver(JournalConfig copy, JournalFrom.Listen config, Set<String> replicas, ServerSocket server) {
    this.copy = copy;
    this.config = config;
    this.replicas = Set.copyOf(replicas);
    this.server = server;
    this.prefix = Side.journal(copy.directory()) + " [push receiver " + address() + "] ";
    this.acceptor = Thread.ofPlatform().name("ferry-push-accept").daemon(true).unstarted(this::accept);
  }

  /**
   * Listens on {@code config}'s address for the supplier feeding the copy in {@code copy.directory()}.
   * {@code replicas} are the consumers of the copy that apply it on this node: what they all
   * acknowledged is reported as applied (level {@code apply}); other consumers (nodes this one serves
   * its copy to) do not count.
   *
   * @throws IOException if the address cannot be listened on, or the copy cannot be opened
   */
  public static PushReceiver start(JournalConfig copy, JournalFrom.Listen config, Set<String> replicas)
      throws IOException {
    Files.createDirectories(copy.directory());
    ServerSocket server;
    try {
      server = PushSockets.listen(config.host(), config.port(), config.keyStore());
    } catch (IOException e) {
      throw new IOException(Side.journal(copy.directory()) + " cannot listen for push on " + config.address() + ": "
          + e.getMessage(), e);
    }
    PushReceiver r = new PushReceiver(copy, config, replicas, server);
    try {
      if (Files.exists(SegmentFiles.idFile(copy.directory()))) {
        r.ingest = JournalIngest.open(copy, JournalInspector.journalId(copy.directory()));
        r.received = Optional.of(r.ingest.end());
        r.created.countDown();
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.info("{}listening ({}{})", r.prefix, config.keyStore().isPresent() ? "TLS" : "plain TCP", r.received
        .map(p -> ", the copy ends at " + p).orElse(", no copy yet"));
    r.acceptor.start();
    return r;
  }

  /** The address listened on (the actual port when 0 was asked for). */
  public String address() {
    String host = config.host();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getLocalPort();
  }

  public int port() {
    return server.getLocalPort();
  }

  @Override
  public LinkStatus status() {
    return new LinkStatus(address(), "push", state, received, applied(), Optional.empty(), segments, bytes, reconnects,
        lastError);
  }

  @Override
  public boolean awaitCopy(Duration timeout) throws InterruptedException {
    return created.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops listening, closes the supplier's connection after the frame in hand, releases the copy. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (stopping) {
      return;
    }
    stopping = true;
    server.close();
    acceptor.join(TimeUnit.SECONDS.toMillis(10));
    ReceiverSession served = current;
    if (served != null) {
      served.goodbye(); // the supplier then logs a stop, not a failure
    }
    Socket s = active.get();
    if (s != null) {
      s.close();
    }
    Thread t = session;
    if (t != null) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (ingest != null) {
      ingest.close();
    }
    state = LinkState.STOPPED;
  }

  private void accept() {
    while (!stopping) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!stopping) {
          LOG.error("{}accepting a connection failed: {}", prefix, e.getMessage());
        }
        continue;
      }
      if (!active.compareAndSet(null, socket)) {
        Thread.ofVirtual().start(() -> refuseBusy(socket));
        continue;
      }
      session = Thread.ofPlatform().name("ferry-push-receive").daemon(true).start(() -> serve(socket));
    }
  }

  private void refuseBusy(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) config.link().timeout().toMillis());
      PushFrames.write(socket.getOutputStream(), PushFrames.Type.ERROR, Payloads.error("a supplier is connected to "
          + address() + " already (from " + peerOf(active.get()) + "); one at a time"));
    } catch (IOException e) {
      LOG.debug("{}refusing a second supplier: {}", prefix, e.getMessage());
    }
  }

  private void serve(Socket socket) {
    String peer = peerOf(socket);
    try (socket) {
      ReceiverSession s = new ReceiverSession(this, socket, peer);
      current = s;
      s.run();
    } catch (PeerStoppedException e) {
      LOG.info("{}supplier {}: {}", prefix, peer, e.getMessage());
    } catch (IOException | RuntimeException e) {
      if (!stopping) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.error("{}supplier {}: {}", prefix, peer, message);
        lastError = Optional.of(message);
        state = e instanceof dev.ferry.journal.IngestRefusedException ? LinkState.REFUSED : LinkState.WAITING;
      }
    } finally {
      current = null;
      awaitsApplied = false;
      active.set(null);
      if (state == LinkState.STREAMING) {
        state = LinkState.WAITING;
      }
    }
  }

  private static String peerOf(Socket s) {
    return s == null ? "-" : String.valueOf(s.getRemoteSocketAddress());
  }

  // ---- the session's view of the copy (called on the session thread only) ----

  JournalFrom.Listen config() {
    return config;
  }

  String prefix() {
    return prefix;
  }

  boolean stopping() {
    return stopping;
  }

  /** The copy's directory. */
  java.nio.file.Path directory() {
    return copy.directory();
  }

  /** The UUID of the copy's journal, if it exists. */
  Optional<UUID> copyId() {
    return Optional.ofNullable(ingest).map(JournalIngest::id);
  }

  JournalPosition end() {
    return ingest == null ? JournalPosition.startOf(1) : ingest.end();
  }

  /** The copy, created with the primary's UUID on the first bytes of segment 1. */
  JournalIngest ingest(UUID primary) throws IOException {
    if (ingest == null) {
      ingest = JournalIngest.open(copy, primary);
      created.countDown();
    }
    return ingest;
  }

  void streaming() {
    if (streamedBefore) {
      reconnects++;
    }
    streamedBefore = true;
    state = LinkState.STREAMING;
    lastError = Optional.empty();
  }

  /** The copy took {@code length} more bytes of journal (a DATA frame) or sealed a segment; it ends at {@code end}. */
  void received(JournalPosition end, boolean sealed, long length) {
    received = Optional.of(end);
    bytes += length;
    if (sealed) {
      segments++;
    }
  }

  /** A session's reading thread read a frame. */
  void frameRead() {
    framesRead.incrementAndGet();
  }

  /** The frames read from suppliers so far, heartbeats included. */
  long framesRead() {
    return framesRead.get();
  }

  /** A session's writing thread is about to write (and fsync) into the copy. */
  void beforeWrite() {
    beforeWrite.run();
  }

  /** For tests: {@code hook} runs on the writing thread before each write into the copy. */
  void beforeWrite(Runnable hook) {
    beforeWrite = hook;
  }

  /** The connected supplier's link is synchronous at level {@code apply} (or no longer is). */
  void awaitsApplied(boolean waiting) {
    awaitsApplied = waiting;
  }

  @Override
  public boolean awaitsApplied() {
    return awaitsApplied;
  }

  /**
   * Takes what replica {@code replica} committed (a replica this receiver reports for; others are
   * ignored) and wakes the session to acknowledge it now: the heartbeat thread sends one ACK with
   * the newest of however many reports came meanwhile.
   */
  @Override
  public void applied(String replica, JournalPosition position) {
    if (!replicas.contains(replica)) {
      return;
    }
    reported.merge(replica, position, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    ReceiverSession s = current;
    if (s != null) {
      s.appliedMoved();
    }
  }

  /**
   * The lowest position every replica of this node committed: for each, the newer of what its
   * consumer file says (read at most every 50 ms) and what it reported ({@link #applied(String,
   * JournalPosition)}); empty while one of them has acknowledged nothing (or there is none).
   */
  Optional<JournalPosition> applied() {
    long now = System.nanoTime();
    if (now - appliedReadNanos >= APPLIED_EVERY_NANOS) {
      try {
        acknowledged = Journal.consumers(copy.directory());
      } catch (IOException e) {
        LOG.debug("{}cannot read the replicas' positions: {}", prefix, e.getMessage());
      }
      appliedReadNanos = now;
    }
    Map<String, JournalPosition> files = acknowledged;
    JournalPosition low = null;
    for (String r : replicas) {
      JournalPosition file = files.get(r);
      JournalPosition told = reported.get(r);
      JournalPosition p = file == null ? told : told == null || file.compareTo(told) >= 0 ? file : told;
      if (p == null) {
        return Optional.empty();
      }
      low = low == null || p.compareTo(low) < 0 ? p : low;
    }
    return Optional.ofNullable(low);
  }
}
