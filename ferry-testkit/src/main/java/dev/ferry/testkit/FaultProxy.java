package dev.ferry.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on a free 127.0.0.1 port that forwards every connection to a target and injects
 * network faults on command, while it runs: drop every connection now or every so often (RST),
 * black-hole the link (nothing forwarded either way, no new connection reaches the target, but no
 * socket is closed: a pulled cable or a firewall that drops, as the ends see it), throttle each
 * direction to so many bytes per second, flip one byte in flight, or cut a connection after so many
 * bytes (mid-frame). A fault is placed at an offset of a connection's stream, after so many more
 * bytes of a direction, or a number of bytes into the next occurrence of a marker (a frame's magic,
 * {@code HTTP/1.1 200}).
 *
 * <p>Plain {@code java.net} sockets, two virtual threads per connection. Thread-safe: tests drive
 * it from any thread while connections run.
 */
public final class FaultProxy implements AutoCloseable {
  /** Which way bytes flow: from the connecting client to the target, or back. */
  public enum Direction {
    TO_TARGET, TO_CLIENT
  }

  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<ProxyLink> links = new CopyOnWriteArrayList<>();
  private final Map<Direction, Throttle> throttles = new EnumMap<>(Direction.class);
  private final Map<Direction, AtomicLong> counts = new EnumMap<>(Direction.class);
  private final Map<Direction, AtomicReference<ProxyFault>> armed = new EnumMap<>(Direction.class);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition opened = lock.newCondition();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean blackHole;
  private volatile boolean closed;
  private Optional<Thread> dropper = Optional.empty();

  private FaultProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    for (Direction d : Direction.values()) {
      throttles.put(d, new Throttle());
      counts.put(d, new AtomicLong());
      armed.put(d, new AtomicReference<>());
    }
  }

  /** A proxy on a free loopback port forwarding to {@code targetPort} on 127.0.0.1. */
  public static FaultProxy start(int targetPort) throws IOException {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
  }

  /** A proxy on a free loopback port forwarding to {@code target}. */
  public static FaultProxy start(InetSocketAddress target) throws IOException {
    FaultProxy proxy = new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
    Thread.ofVirtual().name("fault-proxy-" + proxy.port()).start(proxy::accept);
    return proxy;
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted since the start. */
  public long accepted() {
    return accepted.get();
  }

  /** Connections dropped by {@link #dropAll()} (and {@link #dropEvery}) since the start. */
  public long dropped() {
    return dropped.get();
  }

  /** Connections open now. */
  public int open() {
    return links.size();
  }

  /** Bytes read from one side so far, over all connections. */
  public long forwarded(Direction direction) {
    return counts.get(direction).get();
  }

  /** Resets every open connection now (RST to both ends); returns how many. */
  public int dropAll() {
    int n = 0;
    for (ProxyLink link : links) {
      if (!link.isClosed()) {
        dropped.incrementAndGet();
        link.close(true);
        n++;
      }
    }
    return n;
  }

  /** Drops every connection every {@code period} from now on, until {@link #stopDropping()}. */
  public void dropEvery(Duration period) {
    if (!period.isPositive()) {
      throw new IllegalArgumentException("a drop period above 0, got " + period);
    }
    stopDropping();
    Thread t = Thread.ofVirtual().name("fault-proxy-" + port() + "-dropper").start(() -> {
      try {
        while (!closed) {
          Thread.sleep(period);
          dropAll();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // stopped
      }
    });
    lock.lock();
    try {
      dropper = Optional.of(t);
    } finally {
      lock.unlock();
    }
  }

  /** Stops {@link #dropEvery}. */
  public void stopDropping() {
    lock.lock();
    try {
      dropper.ifPresent(Thread::interrupt);
      dropper = Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts or ends a black hole: while on, no byte is forwarded in either direction and a new
   * connection is held before it reaches the target, but every socket stays open (no RST, no FIN).
   * What was held flows on when it ends, unless an end gave up and closed meanwhile.
   */
  public void blackHole(boolean on) {
    lock.lock();
    try {
      blackHole = on;
      opened.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Limits each direction to {@code bytesPerSecond} (shared by all connections); 0 lifts the limit. */
  public void throttle(long bytesPerSecond) {
    for (Throttle t : throttles.values()) {
      t.rate(bytesPerSecond);
    }
  }

  /** Ends every fault: no more drops, no black hole, no throttle, armed faults cancelled. */
  public void heal() {
    stopDropping();
    blackHole(false);
    throttle(0);
    for (AtomicReference<ProxyFault> f : armed.values()) {
      ProxyFault pending = f.get();
      if (pending != null) {
        pending.cancel();
      }
    }
  }

  /** Flips the byte at {@code offset} of the next connection whose stream in {@code direction} reaches it. */
  public ProxyFault flipAt(Direction direction, long offset) {
    return arm(ProxyFault.Action.FLIP, direction, new ProxyFault.Where.AtOffset(offset));
  }

  /** Flips the byte after {@code count} more bytes flowed in {@code direction} (over all connections). */
  public ProxyFault flipAfter(Direction direction, long count) {
    return arm(ProxyFault.Action.FLIP, direction, new ProxyFault.Where.AfterTotal(forwarded(direction) + count));
  }

  /** Flips the byte {@code into} bytes after the start of the next {@code marker} flowing in {@code direction}. */
  public ProxyFault flipInside(Direction direction, byte[] marker, int into) {
    return arm(ProxyFault.Action.FLIP, direction, new ProxyFault.Where.Inside(marker, into));
  }

  /** Cuts the next connection whose stream in {@code direction} reaches {@code offset}: bytes before it pass. */
  public ProxyFault cutAt(Direction direction, long offset) {
    return arm(ProxyFault.Action.CUT, direction, new ProxyFault.Where.AtOffset(offset));
  }

  /** Cuts a connection after {@code count} more bytes flowed in {@code direction} (over all connections). */
  public ProxyFault cutAfter(Direction direction, long count) {
    return arm(ProxyFault.Action.CUT, direction, new ProxyFault.Where.AfterTotal(forwarded(direction) + count));
  }

  /** Cuts a connection {@code into} bytes after the start of the next {@code marker} in {@code direction}. */
  public ProxyFault cutInside(Direction direction, byte[] marker, int into) {
    return arm(ProxyFault.Action.CUT, direction, new ProxyFault.Where.Inside(marker, into));
  }

  private ProxyFault arm(ProxyFault.Action action, Direction direction, ProxyFault.Where where) {
    ProxyFault fault = new ProxyFault(action, direction, where);
    ProxyFault before = armed.get(direction).getAndUpdate(f -> f == null || !f.pending() ? fault : f);
    if (before != null && before.pending()) {
      throw new IllegalStateException("a fault is armed " + direction + " already (" + before + "); cancel it first");
    }
    return fault;
  }

  ProxyFault armed(Direction direction) {
    ProxyFault f = armed.get(direction).get();
    return f == null || !f.pending() ? null : f;
  }

  /** Adds {@code n} to the direction's count; returns the count before. */
  long count(Direction direction, int n) {
    return counts.get(direction).getAndAdd(n);
  }

  Throttle throttle(Direction direction) {
    return throttles.get(direction);
  }

  void awaitNoBlackHole() throws InterruptedException {
    lock.lock();
    try {
      while (blackHole && !closed) {
        opened.await();
      }
    } finally {
      lock.unlock();
    }
  }

  void ended(ProxyLink link) {
    links.remove(link);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        accepted.incrementAndGet();
        Thread.ofVirtual().name("fault-proxy-" + port() + "-connect").start(() -> connect(client));
      } catch (IOException e) {
        // the proxy closed (or a connection was reset before it was accepted)
      }
    }
  }

  private void connect(Socket client) {
    try {
      awaitNoBlackHole();
      Socket upstream = new Socket();
      upstream.connect(target, CONNECT_TIMEOUT_MS);
      ProxyLink link = new ProxyLink(this, client, upstream);
      links.add(link);
      if (closed) {
        link.close(true);
        return;
      }
      link.start();
    } catch (IOException e) {
      resetQuietly(client); // the target refused: so does the proxy
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      resetQuietly(client);
    }
  }

  private static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // closing is all that is wanted
    }
  }

  /** Stops listening and resets every connection. */
  @Override
  public void close() throws IOException {
    closed = true;
    stopDropping();
    blackHole(false);
    server.close();
    links.forEach(l -> l.close(true));
  }
}
