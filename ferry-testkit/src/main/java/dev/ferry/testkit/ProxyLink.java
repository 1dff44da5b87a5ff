package dev.ferry.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection through a {@link FaultProxy}: the client's socket, the socket to the target, and
 * a pump (a virtual thread) per direction that reads a chunk, lets the proxy's faults act on it
 * (black hole, throttle, a flipped byte, a cut) and writes it on. End of stream in one direction is
 * passed on as a half-close; an error in either ends both. Thread-safe.
 */
final class ProxyLink {
  private static final int CHUNK = 16 * 1024;
  private final FaultProxy proxy;
  private final Socket client;
  private final Socket target;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger pumping = new AtomicInteger(2);
  private volatile boolean cut;

  ProxyLink(FaultProxy proxy, Socket client, Socket target) {
    this.proxy = proxy;
    this.client = client;
    this.target = target;
  }

  void start() {
    String name = "fault-proxy-" + client.getPort();
    Thread.ofVirtual().name(name + "-to-target").start(() -> pump(client, target, FaultProxy.Direction.TO_TARGET));
    Thread.ofVirtual().name(name + "-to-client").start(() -> pump(target, client, FaultProxy.Direction.TO_CLIENT));
  }

  private void pump(Socket from, Socket to, FaultProxy.Direction direction) {
    byte[] chunk = new byte[CHUNK];
    FaultScan scan = new FaultScan();
    long position = 0;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        long total = proxy.count(direction, n);
        ProxyFault fault = proxy.armed(direction);
        int at = fault == null ? -1 : scan.locate(fault, chunk, n, position, total);
        if (at >= 0 && fault.claim()) {
          if (fault.action() == ProxyFault.Action.CUT) {
            forward(out, chunk, at, direction);
            fault.landedAt(position + at);
            cut(from, to);
            return;
          }
          chunk[at] ^= (byte) 0xFF;
          fault.landedAt(position + at);
        }
        forward(out, chunk, n, direction);
        position += n;
      }
      proxy.awaitNoBlackHole();
      if (cut) {
        close(false);
        return;
      }
      to.shutdownOutput();
      if (pumping.decrementAndGet() == 0) {
        close(false);
      }
    } catch (IOException e) {
      close(false); // one end went away, or the proxy dropped the link
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close(false);
    }
  }

  /**
   * Ends the link mid-stream: the side that was being written to gets the bytes so far and then end
   * of stream (FIN), as when its peer went away mid-frame; the side that was writing is reset. What
   * the first side still sends is read and dropped until it closes.
   */
  private void cut(Socket from, Socket to) throws IOException {
    cut = true;
    to.shutdownOutput();
    from.setSoLinger(true, 0);
    from.close();
  }

  /** Writes {@code chunk[0, n)} in the throttle's slices, each only while no black hole holds the proxy. */
  private void forward(OutputStream out, byte[] chunk, int n, FaultProxy.Direction direction)
      throws IOException, InterruptedException {
    Throttle throttle = proxy.throttle(direction);
    int off = 0;
    while (off < n) {
      proxy.awaitNoBlackHole();
      if (closed.get()) {
        throw new IOException("the proxy closed the link");
      }
      if (cut) {
        return; // dropped: the other side is gone
      }
      int slice = throttle.slice(n - off);
      throttle.acquire(slice);
      out.write(chunk, off, slice);
      off += slice;
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Closes both sockets; with {@code reset}, abortively (RST: linger 0) instead of with FIN. */
  void close(boolean reset) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Socket s : new Socket[] {client, target}) {
      try {
        if (reset) {
          s.setSoLinger(true, 0);
        }
        s.close();
      } catch (IOException e) {
        // closing is all that is wanted
      }
    }
    proxy.ended(this);
  }
}
