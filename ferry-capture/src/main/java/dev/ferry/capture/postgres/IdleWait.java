package dev.ferry.capture.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;

/**
 * Lets the capture thread wait for the server's next message without spinning while the stream is
 * idle. pgjdbc's {@code readPending} looks for a message by reading with a 1 ms socket timeout, so an
 * idle stream wakes 500 times a second (each wake two {@code setsockopt} calls and a poll: 3–4 % of a
 * core for nothing). While stretched, that 1 ms becomes {@code millis}: the read still returns the
 * moment a byte arrives, so no change waits any longer, and an idle stream wakes a few times a second.
 *
 * <p>The replication connection gets its socket from {@link Sockets} (pgjdbc's {@code socketFactory}
 * and {@code socketFactoryArg}); where a source's URL names its own socket factory, the socket is not
 * ours, {@link #attached()} stays false and capture naps between polls as before. TLS sockets are
 * layered over ours and pass their timeouts down to it.
 */
final class IdleWait {
  private static final Map<String, IdleWait> REGISTERED = new ConcurrentHashMap<>();

  private final String key = UUID.randomUUID().toString();
  private final AtomicLong polls = new AtomicLong();
  private volatile boolean attached;
  private volatile int millis;

  /** Makes this wait findable by the socket factory pgjdbc instantiates with {@link #key()}. */
  IdleWait register() {
    REGISTERED.put(key, this);
    return this;
  }

  void unregister() {
    REGISTERED.remove(key);
  }

  String key() {
    return key;
  }

  /** Whether the connection's socket is ours, so that {@link #stretch} has an effect. */
  boolean attached() {
    return attached;
  }

  /** From now on pgjdbc's 1 ms look for data waits up to {@code millis} (0: back to 1 ms). */
  void stretch(int millis) {
    this.millis = millis;
  }

  boolean stretched() {
    return millis > 0;
  }

  /** How many times pgjdbc looked for a message with its short timeout (for tests). */
  long polls() {
    return polls.get();
  }

  private int timeout(int requested) {
    if (requested != 1) {
      return requested;
    }
    polls.incrementAndGet();
    int stretch = millis;
    return stretch > 0 ? stretch : requested;
  }

  /** pgjdbc's {@code socketFactory} for a replication connection; its argument is an {@link IdleWait} key. */
  public static final class Sockets extends SocketFactory {
    private final IdleWait wait;

    public Sockets(String key) {
      this.wait = key == null ? null : REGISTERED.get(key);
    }

    @Override
    public Socket createSocket() {
      if (wait == null) {
        return new Socket();
      }
      wait.attached = true;
      return new Socket() {
        @Override
        public synchronized void setSoTimeout(int timeout) throws SocketException {
          super.setSoTimeout(wait.timeout(timeout));
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
      Socket s = createSocket();
      if (local != null) {
        s.bind(local);
      }
      s.connect(remote);
      return s;
    }
  }
}
