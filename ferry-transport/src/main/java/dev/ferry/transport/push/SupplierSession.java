package dev.ferry.transport.push;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalTail;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.push.PushFrames.Frame;
import dev.ferry.transport.push.PushFrames.Type;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One connection of a {@link PushSupplier}: connect, handshake (HELLO → CHALLENGE → AUTH → STATE),
 * then DATA and SEAL frames from where the copy ends, a HEARTBEAT whenever nothing was sent for a
 * heartbeat interval. A reader thread takes the receiver's ACKs (its heartbeats too); when nothing
 * arrives for the timeout, or the receiver sends an ERROR, it closes the socket, which ends the
 * writes. Runs on the supplier's thread.
 */
final class SupplierSession {
  private final PushSupplier supplier;
  private final Journal journal;
  private final PushTarget target;
  private volatile Socket socket;
  private volatile IOException readerFailure;
  private volatile boolean streamed;

  SupplierSession(PushSupplier supplier, Journal journal, PushTarget target) {
    this.supplier = supplier;
    this.journal = journal;
    this.target = target;
  }

  /** Whether this session got as far as streaming (then the next retry starts with a short wait). */
  boolean streamed() {
    return streamed;
  }

  void abort() {
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing to stop: nothing to do
      }
    }
  }

  void run() throws IOException, InterruptedException {
    LinkTiming link = target.link();
    String peer = target.name() + " " + target.address();
    try (Socket s = connect(link)) {
      socket = s;
      if (supplier.stopping()) {
        return;
      }
      s.setSoTimeout((int) link.timeout().toMillis());
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 << 10);
      PushFrames in = new PushFrames(new BufferedInputStream(s.getInputStream(), 64 << 10), peer);
      JournalPosition position;
      try {
        position = handshake(in, out);
      } catch (java.net.SocketTimeoutException e) {
        throw new IOException("no answer from the replica node within " + link.timeout().toMillis() + " ms of"
            + " connecting (heartbeat timeout): the link is dead or black-holed", e);
      }
      streamed = true;
      supplier.streaming(position);
      Thread reader = Thread.ofVirtual().name("ferry-push-acks-" + target.name()).start(() -> readAcks(in));
      try {
        stream(out, position);
      } catch (IOException e) {
        throw readerFailure != null ? readerFailure : e;
      } finally {
        s.close();
        reader.join();
      }
      if (readerFailure != null) {
        throw readerFailure;
      }
    }
  }

  /** Connects; a failed TLS handshake names the truststore and the receiver's keystore. */
  private Socket connect(LinkTiming link) throws IOException {
    try {
      return PushSockets.connect(target.host(), target.port(), target.trustStore(), link.timeout());
    } catch (javax.net.ssl.SSLException e) {
      throw new IOException("TLS handshake with the replica node at " + target.address() + " failed (" + e.getMessage()
          + "): push target " + target.name() + " has journal.push[].truststore " + target.trustStore()
          .map(Object::toString).orElse("-") + ", so the node must listen with TLS (its journal.from.listen.keystore)"
          + " and present a certificate for " + target.host() + " that this truststore holds (or its CA)", e);
    }
  }

  private JournalPosition handshake(PushFrames in, OutputStream out) throws IOException {
    byte[] nonce = Handshake.nonce();
    send(out, Type.HELLO, nonce);
    ByteBuffer challenge;
    try {
      challenge = expect(in, Type.CHALLENGE).buffer();
    } catch (PushProtocolException | java.io.EOFException e) {
      if (target.trustStore().isPresent()) {
        throw e;
      }
      throw new IOException("no push handshake from the replica node at " + target.address() + " (" + e.getMessage()
          + "): if it listens with TLS (its journal.from.listen.keystore), give push target " + target.name()
          + " a journal.push[].truststore holding its certificate", e);
    }
    byte[] receiverNonce = new byte[Handshake.NONCE];
    byte[] proof = new byte[Handshake.NONCE];
    challenge.get(receiverNonce).get(proof);
    if (!Handshake.same(Handshake.receiverProof(target.secret(), nonce, receiverNonce), proof)) {
      send(out, Type.ERROR, Payloads.error("authentication failed: the receiver's proof does not match the shared"
          + " secret of push target " + target.name()));
      throw new IOException("the receiver at " + target.address() + " does not know the shared secret: nothing sent");
    }
    send(out, Type.AUTH, Payloads.auth(Handshake.supplierProof(target.secret(), nonce, receiverNonce), journal.id(),
        target.sync()));
    Payloads.State state = Payloads.state(expect(in, Type.STATE).buffer());
    Payloads.Compare compare = Payloads.compare(expect(in, Type.COMPARE).buffer());
    if (compare.segment() > 0) {
      show(out, compare);
    }
    supplier.acknowledged(state.end(), state.applied());
    return state.end();
  }

  /**
   * Sends this journal's bytes of the segment the copy holds last, as far as the copy holds it (whole
   * records, in chunks), then how many it sent: the receiver refuses a copy holding other bytes or
   * more of that segment (another history, after a promotion). A segment this journal purged
   * cannot be compared and is said so.
   */
  private void show(OutputStream out, Payloads.Compare compare) throws IOException {
    JournalTail tail = journal.tail();
    long segment = compare.segment();
    long at = 0;
    boolean purged = false;
    try {
      while (at < compare.length()) {
        int max = (int) Math.min(target.link().chunk(), compare.length() - at);
        Optional<JournalTail.Chunk> chunk = tail.read(new JournalPosition(segment, at), max);
        if (chunk.isEmpty() || chunk.get().bytes().length == 0) {
          break;
        }
        PushFrames.write(out, Type.CHECK, Payloads.data(segment, at, chunk.get().bytes()));
        at += chunk.get().bytes().length;
      }
    } catch (dev.ferry.journal.PositionPurgedException e) {
      purged = true;
    }
    send(out, Type.CHECKED, Payloads.checked(new Payloads.Checked(segment, at, purged)));
  }

  private void stream(OutputStream out, JournalPosition from) throws IOException, InterruptedException {
    JournalTail tail = journal.tail();
    LinkTiming link = target.link();
    long heartbeatNanos = link.heartbeat().toNanos();
    long lastSent = System.nanoTime();
    JournalPosition position = from;
    while (!supplier.stopping() && readerFailure == null) {
      long version = tail.version();
      Optional<JournalTail.Chunk> chunk;
      try {
        chunk = tail.read(position, link.chunk());
      } catch (java.nio.channels.ClosedByInterruptException e) {
        if (!supplier.stopping()) {
          throw e;
        }
        break; // close() interrupted the read of the journal: say goodbye below
      }
      if (chunk.isPresent()) {
        JournalTail.Chunk c = chunk.get();
        if (c.bytes().length > 0) {
          PushFrames.write(out, Type.DATA, Payloads.dataHead(c.segment(), c.offset()), c.bytes());
        }
        if (c.sealedRecords().isPresent()) {
          PushFrames.write(out, Type.SEAL, Payloads.seal(c.segment(), c.sealedRecords().getAsLong()));
        }
        out.flush();
        lastSent = System.nanoTime();
        position = c.next();
        supplier.sent(position, c.sealedRecords().isPresent(), c.bytes().length);
        continue;
      }
      if (System.nanoTime() - lastSent >= heartbeatNanos) {
        send(out, Type.HEARTBEAT, new byte[0]);
        lastSent = System.nanoTime();
      }
      try {
        tail.await(version, link.heartbeat());
      } catch (InterruptedException e) {
        if (!supplier.stopping()) {
          throw e;
        }
        Thread.currentThread().interrupt(); // close() woke the wait: say goodbye below
      }
    }
    if (supplier.stopping() && readerFailure == null) {
      goodbye(out);
    }
  }

  /** Tells the replica node this end stops on purpose (it then logs a stop, not a failure); best effort. */
  private void goodbye(OutputStream out) {
    try {
      send(out, Type.ERROR, Payloads.stopping("the primary's push link " + target.name()));
    } catch (IOException e) {
      // the connection is going anyway: the other end sees it closed
    }
  }

  private void readAcks(PushFrames in) {
    try {
      while (true) {
        Frame f = in.read(PushFrames.HANDSHAKE_CAP);
        switch (f.type()) {
          case ACK -> {
            Payloads.Ack ack = Payloads.ack(f.buffer(), target.name());
            supplier.acknowledged(ack.received(), ack.applied());
          }
          case HEARTBEAT -> {
            // alive
          }
          case ERROR -> throw Payloads.closing(f.payload(), "the replica node closed the link: ",
              "the replica node refused: ");
          default -> throw new PushProtocolException("[push " + target.name() + "] unexpected " + f.type()
              + " from the receiver while streaming", -1);
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      readerFailure = new IOException("nothing heard from the replica node for " + target.link().timeout().toMillis()
          + " ms (heartbeat timeout): the link is dead or black-holed", e);
    } catch (IOException e) {
      if (!socket.isClosed()) {
        readerFailure = e;
      }
    } finally {
      abort();
    }
  }

  private static Frame expect(PushFrames in, Type type) throws IOException {
    Frame f = in.read(PushFrames.HANDSHAKE_CAP);
    if (f.type() == Type.ERROR) {
      throw new IOException("the replica node refused: " + Payloads.error(f.payload()));
    }
    if (f.type() != type) {
      throw new PushProtocolException("expected " + type + " from the receiver, got " + f.type(), -1);
    }
    return f;
  }

  private static void send(OutputStream out, Type type, byte[] payload) throws IOException {
    PushFrames.write(out, type, payload);
    out.flush();
  }
}
