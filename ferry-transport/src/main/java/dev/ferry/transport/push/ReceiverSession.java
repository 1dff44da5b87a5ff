package dev.ferry.transport.push;

import dev.ferry.journal.JournalIngest;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.push.PushFrames.Frame;
import dev.ferry.transport.push.PushFrames.Type;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One supplier connection on the receiver: the handshake (HELLO → CHALLENGE → AUTH → STATE), then
 * DATA and SEAL frames written into the copy, each acknowledged (ACK: the copy's durable end and
 * the applied position) once durable. A reading thread takes frames off the socket into a
 * {@link FrameQueue} while the session thread writes and fsyncs the ones before, grouping
 * contiguous DATA frames into one write and one fsync. A heartbeat thread sends an ACK whenever nothing was sent for
 * a heartbeat interval, and whenever the replicas applied more than the last ACK said; a read that
 * waits longer than the timeout ends the session (the link is dead or black-holed). Runs on the
 * receiver's session thread (the writing thread).
 */
final class ReceiverSession {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiverSession.class);
  /** How often the heartbeat thread looks whether the replicas applied more (or a quarter heartbeat). */
  private static final long APPLIED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** The frames read ahead of the copy's writes, in payload bytes (a larger frame alone). */
  static final long QUEUE_BYTES = 16L << 20;
  /** The journal bytes of contiguous DATA frames written with one fsync, at most. */
  static final long GROUP_BYTES = 8L << 20;
  /** How often the writing thread, waiting for frames, looks whether the receiver stops. */
  private static final java.time.Duration STOP_POLL = java.time.Duration.ofMillis(100);
  private final PushReceiver receiver;
  private final Socket socket;
  private final String peer;
  private final LinkTiming link;
  private final ReentrantLock writing = new ReentrantLock();
  private volatile OutputStream out;
  private volatile long lastSentNanos = System.nanoTime();
  private volatile JournalPosition end;
  private volatile Thread beat;
  /** The supplier's sync level, from its AUTH. */
  private SyncLevel level = SyncLevel.NONE;
  /** The applied position the last ACK carried (two threads send ACKs: at worst one more is sent). */
  private volatile Optional<JournalPosition> appliedSent = Optional.empty();

  ReceiverSession(PushReceiver receiver, Socket socket, String peer) {
    this.receiver = receiver;
    this.socket = socket;
    this.peer = peer;
    this.link = receiver.config().link();
  }

  void run() throws IOException {
    socket.setSoTimeout((int) link.timeout().toMillis());
    socket.setTcpNoDelay(true);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
    PushFrames in = new PushFrames(new BufferedInputStream(socket.getInputStream(), 64 << 10), peer);
    UUID primary;
    try {
      primary = handshake(in);
    } catch (javax.net.ssl.SSLException e) {
      throw new IOException("the supplier at " + peer + " failed the TLS handshake (" + e.getMessage() + "): this"
          + " receiver listens with TLS (journal.from.listen.keystore " + receiver.config().keyStore()
          .map(Object::toString).orElse("-") + "); the primary's push target needs a journal.push[].truststore holding"
          + " this certificate (or its CA)", e);
    }
    receiver.streaming();
    receiver.awaitsApplied(level == SyncLevel.APPLY);
    LOG.info("{}supplier {} connected, pushing journal {} from {}", receiver.prefix(), peer, primary, end);
    beat = Thread.ofVirtual().name("ferry-push-receive-heartbeat").start(this::heartbeats);
    try {
      stream(in, primary);
    } finally {
      beat.interrupt();
    }
  }

  private UUID handshake(PushFrames in) throws IOException {
    Frame hello = expect(in, Type.HELLO);
    byte[] supplierNonce = hello.payload();
    byte[] nonce = Handshake.nonce();
    byte[] proof = Handshake.receiverProof(receiver.config().secret(), supplierNonce, nonce);
    send(Type.CHALLENGE, java.nio.ByteBuffer.allocate(64).put(nonce).put(proof).array());
    Payloads.Auth auth = Payloads.auth(expect(in, Type.AUTH).buffer(), peer);
    level = auth.sync();
    if (!Handshake.same(Handshake.supplierProof(receiver.config().secret(), supplierNonce, nonce), auth.proof())) {
      refuse("authentication failed: the supplier does not know the shared secret of " + receiver.address());
    }
    Optional<UUID> held = receiver.copyId();
    if (held.isPresent() && !held.get().equals(auth.journal())) {
      refuse("this node holds a copy of journal " + held.get() + ", the supplier pushes journal " + auth.journal());
    }
    end = receiver.end();
    send(Type.STATE, Payloads.state(held.isPresent(), end, receiver.applied()));
    Payloads.Compare compare = compared(held.isPresent());
    send(Type.COMPARE, Payloads.compare(compare));
    if (compare.segment() > 0) {
      try {
        sameHistory(in, receiver.ingest(auth.journal()), compare);
      } catch (dev.ferry.journal.IngestRefusedException e) {
        refuse(dev.ferry.transport.CopyReceiver.otherHistory(receiver.directory(), compare.segment(), e));
      }
    }
    return auth.journal();
  }

  /**
   * What the supplier is to show of its journal before it streams: the copy's newest segment, as far
   * as the copy holds it (the open one up to its end, else the newest sealed one whole); nothing when
   * there is no copy, or that segment is no longer held.
   */
  private Payloads.Compare compared(boolean exists) throws IOException {
    if (!exists) {
      return new Payloads.Compare(0, 0);
    }
    if (end.offset() > 0) {
      return new Payloads.Compare(end.segment(), end.offset());
    }
    long newest = end.segment() - 1;
    return dev.ferry.journal.JournalInspector.list(receiver.directory()).stream()
        .filter(s -> s.number() == newest && s.state() != dev.ferry.journal.SegmentState.OPEN).findFirst()
        .map(s -> new Payloads.Compare(newest, s.sizeBytes())).orElse(new Payloads.Compare(0, 0));
  }

  private static IOException closedBySupplier(Frame f) {
    return Payloads.closing(f.payload(), "the supplier closed the link: ", "the supplier closed the link: ");
  }

  /**
   * The supplier's bytes of the compared segment must be the copy's, and as many: a copy that holds
   * other bytes, or more of that segment than the supplier, holds another history (a replica node
   * re-pointed to a promoted node that holds less of the old primary's history), and appending the
   * supplier's next bytes would join two histories. HTTP makes the same check (HttpReceiver).
   */
  private void sameHistory(PushFrames in, JournalIngest ingest, Payloads.Compare compare) throws IOException {
    while (true) {
      Frame f = in.read(link.maxFrame());
      switch (f.type()) {
        case CHECK -> {
          Payloads.Data d = Payloads.data(f.payload(), peer);
          if (d.segment() != compare.segment() || d.offset() + d.bytes().length > compare.length()) {
            throw new dev.ferry.journal.IngestRefusedException(receiver.directory(), compare.segment(), d.offset(),
                Optional.empty(), "the source's records there go on past the copy's " + compare.length() + " bytes");
          }
          ingest.appendRecords(d.segment(), d.offset(), d.bytes()); // held bytes: compared, nothing written
        }
        case CHECKED -> {
          Payloads.Checked c = Payloads.checked(f.buffer());
          if (!c.purged() && c.sent() < compare.length()) {
            throw new dev.ferry.journal.IngestRefusedException(receiver.directory(), compare.segment(), c.sent(),
                Optional.empty(), "the copy holds " + compare.length() + " bytes of it, the source only " + c.sent());
          }
          return;
        }
        case HEARTBEAT -> {
          // the supplier is slow to show its bytes; the read proved the link alive
        }
        case ERROR -> throw closedBySupplier(f);
        default -> throw new PushProtocolException("[push " + peer + "] unexpected " + f.type()
            + " while comparing segment " + compare.segment(), -1);
      }
    }
  }

  /**
   * Reads frames on a thread of its own into a bounded queue while this thread writes them into the
   * copy: the next frames arrive while the previous ones are written and fsynced. Contiguous DATA
   * frames queued meanwhile are written together with one fsync; each ACK still says only what
   * {@link JournalIngest} made durable.
   */
  private void stream(PushFrames in, UUID primary) throws IOException {
    FrameQueue queue = new FrameQueue(QUEUE_BYTES);
    Thread reader = Thread.ofVirtual().name("ferry-push-receive-read").start(() -> readFrames(in, queue));
    try {
      while (!receiver.stopping()) {
        Optional<Frame> f = queue.poll(STOP_POLL);
        if (f.isPresent()) {
          take(f.get(), queue, primary);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("[push " + peer + "] interrupted while receiving");
    } catch (dev.ferry.journal.IngestRefusedException e) {
      refuse(e);
    } finally {
      queue.close();
      reader.interrupt();
    }
  }

  /** The reading thread: every frame but heartbeats into {@code queue}, then why it stopped. */
  private void readFrames(PushFrames in, FrameQueue queue) {
    try {
      while (true) {
        Frame f = in.read(link.maxFrame());
        receiver.frameRead();
        if (f.type() != Type.HEARTBEAT && !queue.put(f)) {
          return;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      queue.fail(new IOException("nothing heard from the supplier for " + link.timeout().toMillis()
          + " ms (heartbeat timeout): the link is dead or black-holed", e));
    } catch (IOException e) {
      queue.fail(e);
    } catch (InterruptedException e) {
      queue.fail(new java.io.InterruptedIOException("[push " + peer + "] reading interrupted"));
    } catch (RuntimeException e) {
      queue.fail(new IOException("[push " + peer + "] reading failed: " + e, e));
    }
  }

  private void take(Frame f, FrameQueue queue, UUID primary) throws IOException {
    switch (f.type()) {
      case DATA -> takeData(f, queue, primary);
      case SEAL -> {
        java.nio.ByteBuffer b = f.buffer();
        long segment = b.getLong();
        long records = b.getLong();
        JournalIngest ingest = copy(primary, segment, -1);
        receiver.beforeWrite();
        ingest.seal(segment, records);
        ingest.purge();
        acknowledge(ingest.end(), true, 0);
      }
      case ERROR -> throw closedBySupplier(f);
      default -> throw new PushProtocolException("[push " + peer + "] unexpected " + f.type() + " while streaming",
          -1);
    }
  }

  /**
   * {@code first} and the DATA frames queued behind it that continue it in the same segment (up to
   * {@link #GROUP_BYTES}), appended with one fsync and acknowledged once durable.
   */
  private void takeData(Frame first, FrameQueue queue, UUID primary) throws IOException {
    Payloads.DataHead head = Payloads.dataHead(first.payload(), peer);
    List<byte[]> payloads = new ArrayList<>();
    payloads.add(first.payload());
    Payloads.DataHead last = head;
    long total = head.length();
    while (total < GROUP_BYTES) {
      Payloads.DataHead tail = last;
      Optional<Frame> next = queue.pollIf(n -> n.type() == Type.DATA && continues(tail, n));
      if (next.isEmpty()) {
        break;
      }
      last = Payloads.dataHead(next.get().payload(), peer);
      payloads.add(next.get().payload());
      total += last.length();
    }
    JournalIngest ingest = copy(primary, head.segment(), head.offset());
    receiver.beforeWrite();
    ingest.appendRecords(head.segment(), head.offset(), joined(payloads, total));
    acknowledge(ingest.end(), false, total);
  }

  private boolean continues(Payloads.DataHead tail, Frame next) {
    try {
      return tail.continuedBy(Payloads.dataHead(next.payload(), peer));
    } catch (PushProtocolException e) {
      return false; // taken alone, where the error is thrown
    }
  }

  /** The journal bytes of DATA payloads, one copy. */
  private static byte[] joined(List<byte[]> payloads, long total) {
    byte[] bytes = new byte[Math.toIntExact(total)];
    int at = 0;
    for (byte[] p : payloads) {
      int n = p.length - Payloads.DataHead.LENGTH;
      System.arraycopy(p, Payloads.DataHead.LENGTH, bytes, at, n);
      at += n;
    }
    return bytes;
  }

  /** The copy; a new one only from the first bytes of segment 1. */
  private JournalIngest copy(UUID primary, long segment, long offset) throws IOException {
    if (receiver.copyId().isEmpty() && (segment != 1 || offset != 0)) {
      refuse("there is no copy yet: it starts with segment 1 at offset 0, not segment " + segment
          + (offset >= 0 ? " offset " + offset : " (a seal)") + " (has the primary purged segment 1?)");
    }
    return receiver.ingest(primary);
  }

  private void acknowledge(JournalPosition position, boolean sealed, long length) throws IOException {
    end = position;
    receiver.received(position, sealed, length);
    sendAck(position);
  }

  private void sendAck(JournalPosition received) throws IOException {
    Optional<JournalPosition> applied = receiver.applied();
    send(Type.ACK, Payloads.ack(received, applied));
    appliedSent = applied;
  }

  /** The replicas reported committing more: the heartbeat thread acknowledges it now. Any thread. */
  void appliedMoved() {
    Thread t = beat;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /**
   * Sends an ACK when nothing was sent for a heartbeat interval, and as soon as the replicas applied
   * more than the last ACK said: woken at once by {@link #appliedMoved} (a synchronous commit at level
   * {@code apply} waits for it), else it looks every 50 ms (the replicas' consumer files).
   */
  private void heartbeats() {
    long every = link.heartbeat().toNanos();
    long poll = Math.min(every / 4, APPLIED_POLL_NANOS);
    try {
      while (!socket.isClosed() && !Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(poll);
        if (System.nanoTime() - lastSentNanos >= every || !receiver.applied().equals(appliedSent)) {
          sendAck(end);
        }
      }
    } catch (IOException e) {
      LOG.debug("{}heartbeat to {} failed: {}", receiver.prefix(), peer, e.getMessage());
      closeQuietly();
    }
  }

  private Frame expect(PushFrames in, Type type) throws IOException {
    Frame f = in.read(PushFrames.HANDSHAKE_CAP);
    if (f.type() == Type.ERROR) {
      throw new IOException("the supplier " + peer + " refused: " + Payloads.error(f.payload()));
    }
    if (f.type() != type) {
      throw new PushProtocolException("[push " + peer + "] expected " + type + ", got " + f.type(), -1);
    }
    return f;
  }

  /** Tells the supplier this end stops on purpose (before the receiver closes the socket); best effort. */
  void goodbye() {
    if (out == null) {
      return;
    }
    try {
      send(Type.ERROR, Payloads.stopping("the replica node's receiver " + receiver.address()));
    } catch (IOException e) {
      LOG.debug("{}could not tell {} that this end stops: {}", receiver.prefix(), peer, e.getMessage());
    }
  }

  /** Tells the supplier why and ends the session. */
  private void refuse(String message) throws IOException {
    refuse(new IOException(message));
  }

  private void refuse(IOException e) throws IOException {
    try {
      send(Type.ERROR, Payloads.error(e.getMessage()));
    } catch (IOException ignored) {
      LOG.debug("{}could not tell {} why it is refused: {}", receiver.prefix(), peer, ignored.getMessage());
    }
    throw e;
  }

  private void send(Type type, byte[] payload) throws IOException {
    writing.lock();
    try {
      PushFrames.write(out, type, payload);
      out.flush();
      lastSentNanos = System.nanoTime();
    } finally {
      writing.unlock();
    }
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("{}closing {}: {}", receiver.prefix(), peer, e.getMessage());
    }
  }
}
