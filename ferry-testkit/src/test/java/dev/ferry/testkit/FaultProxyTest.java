package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.testkit.FaultProxy.Direction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy between a client and an echo server on loopback: each fault does exactly what it says. */
@Timeout(60)
class FaultProxyTest {
  private ServerSocket echo;
  private final AtomicInteger echoConnections = new AtomicInteger();
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::serveEcho);
    proxy = FaultProxy.start(echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private void serveEcho() {
    while (!echo.isClosed()) {
      try {
        Socket s = echo.accept();
        echoConnections.incrementAndGet();
        Thread.ofVirtual().start(() -> {
          try (s) {
            s.getInputStream().transferTo(s.getOutputStream());
          } catch (IOException e) {
            // the proxy went away
          }
        });
      } catch (IOException e) {
        return;
      }
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Reads {@code n} bytes, or what came before the stream ended or failed. */
  private static byte[] readUpTo(Socket s, int n) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      while (got.size() < n) {
        int r = in.read(buf, 0, Math.min(buf.length, n - got.size()));
        if (r < 0) {
          break;
        }
        got.write(buf, 0, r);
      }
    } catch (IOException e) {
      // ended: what came is what counts
    }
    return got.toByteArray();
  }

  @Test
  void forwardsEveryByteBothWaysUntouched() throws Exception {
    byte[] data = random(300_000, 1);
    try (Socket s = connect()) {
      Thread.ofVirtual().start(() -> {
        try {
          s.getOutputStream().write(data);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(readUpTo(s, data.length)).isEqualTo(data);
    }
    assertThat(proxy.forwarded(Direction.TO_TARGET)).isEqualTo(data.length);
    assertThat(proxy.forwarded(Direction.TO_CLIENT)).isEqualTo(data.length);
    assertThat(proxy.accepted()).isEqualTo(1);
  }

  @Test
  void dropAllResetsEveryOpenConnectionAndNewOnesWorkAfterwards() throws Exception {
    try (Socket a = connect(); Socket b = connect()) {
      for (Socket s : new Socket[] {a, b}) {
        s.getOutputStream().write(1);
        assertThat(s.getInputStream().read()).isEqualTo(1);
      }
      assertThat(proxy.dropAll()).isEqualTo(2);
      for (Socket s : new Socket[] {a, b}) {
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("reset");
      }
    }
    try (Socket c = connect()) {
      c.getOutputStream().write(7);
      assertThat(c.getInputStream().read()).isEqualTo(7);
    }
    assertThat(proxy.dropped()).isEqualTo(2);
  }

  @Test
  void dropEveryResetsConnectionsPeriodicallyUntilStopped() throws Exception {
    proxy.dropEvery(Duration.ofMillis(500));
    for (int i = 0; i < 2; i++) {
      try (Socket s = connect()) {
        s.getOutputStream().write(1);
        assertThat(s.getInputStream().read()).isEqualTo(1);
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class);
      }
    }
    proxy.stopDropping();
    long before = proxy.dropped();
    try (Socket s = connect()) {
      Thread.sleep(1200);
      s.getOutputStream().write(2);
      assertThat(s.getInputStream().read()).isEqualTo(2);
    }
    assertThat(proxy.dropped()).isEqualTo(before).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aBlackHoleForwardsNothingClosesNothingAndHoldsNewConnectionsUntilItEnds() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(1);
      assertThat(s.getInputStream().read()).isEqualTo(1);
      proxy.blackHole(true);
      s.getOutputStream().write(new byte[] {2, 3});
      Socket late = connect();
      s.setSoTimeout(1000);
      late.setSoTimeout(1000);
      late.getOutputStream().write(9);
      // Silence, not an error: the reads time out, nothing is reset or closed.
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(() -> late.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(echoConnections.get()).as("the held connection has not reached the target").isEqualTo(1);
      proxy.blackHole(false);
      s.setSoTimeout(10_000);
      late.setSoTimeout(10_000);
      assertThat(readUpTo(s, 2)).containsExactly(2, 3);
      assertThat(late.getInputStream().read()).isEqualTo(9);
      late.close();
    }
  }

  @Test
  void aThrottleHoldsEachDirectionToItsRate() throws Exception {
    proxy.throttle(8 * 1024);
    // 32 KiB: 4 s throttled, far enough from an unthrottled copy even when a loaded machine stalls a second or two.
    byte[] data = random(32 * 1024, 2);
    long start = System.nanoTime();
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).isEqualTo(data);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("32 KiB at 8 KiB/s").isGreaterThan(Duration.ofMillis(3700));
    proxy.throttle(0);
    start = System.nanoTime();
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).isEqualTo(data);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("unthrottled").isLessThan(Duration.ofMillis(3000));
  }

  @Test
  void flipsTheByteAtAnOffsetOfTheNextConnectionOnly() throws Exception {
    byte[] data = random(1000, 3);
    ProxyFault flip = proxy.flipAt(Direction.TO_TARGET, 100);
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      byte[] got = readUpTo(s, data.length);
      assertThat(differences(data, got)).containsExactly(100);
      assertThat(got[100]).isEqualTo((byte) ~data[100]);
    }
    assertThat(flip.happened()).isTrue();
    assertThat(flip.offset()).isEqualTo(100);
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).as("once only").isEqualTo(data);
    }
  }

  @Test
  void flipsTheByteAfterACountOfTheDirectionAcrossConnections() throws Exception {
    byte[] data = random(600, 4);
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).isEqualTo(data);
    }
    ProxyFault flip = proxy.flipAfter(Direction.TO_CLIENT, 700); // 600 in this connection's stream, then 100
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).isEqualTo(data);
    }
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(differences(data, readUpTo(s, data.length))).containsExactly(100);
    }
    assertThat(flip.await(Duration.ofSeconds(1))).isTrue();
    assertThat(flip.offset()).isEqualTo(100);
  }

  @Test
  void flipsInsideAMarkerSplitBetweenTwoReads() throws Exception {
    byte[] marker = "FPSH\u0001\u0005".getBytes(StandardCharsets.ISO_8859_1);
    byte[] data = new byte[400];
    Arrays.fill(data, (byte) 'x');
    System.arraycopy(marker, 0, data, 197, marker.length); // bytes 197..202, split at 200
    ProxyFault flip = proxy.flipInside(Direction.TO_TARGET, marker, 20);
    try (Socket s = connect()) {
      s.setTcpNoDelay(true);
      s.getOutputStream().write(data, 0, 200);
      assertThat(readUpTo(s, 200)).isEqualTo(Arrays.copyOf(data, 200));
      s.getOutputStream().write(data, 200, 200);
      assertThat(differences(Arrays.copyOfRange(data, 200, 400), readUpTo(s, 200))).containsExactly(17);
    }
    assertThat(flip.offset()).isEqualTo(217);
  }

  @Test
  void cutsAConnectionAfterExactlyTheBytesBeforeTheCut() throws Exception {
    byte[] data = random(5000, 5);
    ProxyFault cut = proxy.cutAt(Direction.TO_CLIENT, 1234);
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(readUpTo(s, data.length)).isEqualTo(Arrays.copyOf(data, 1234));
    }
    assertThat(cut.await(Duration.ofSeconds(1))).isTrue();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (proxy.open() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(proxy.open()).as("the cut connection is gone").isZero();
  }

  @Test
  void aCutTowardsTheTargetEndsItsStreamAfterTheBytesBeforeTheCutAndResetsTheClient() throws Exception {
    byte[] data = random(3000, 6);
    try (ServerSocket sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        FaultProxy toSink = FaultProxy.start(sink.getLocalPort())) {
      ProxyFault cut = toSink.cutAt(Direction.TO_TARGET, 777);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), toSink.port()); Socket in = sink.accept()) {
        s.getOutputStream().write(data);
        in.setSoTimeout(10_000);
        assertThat(in.getInputStream().readAllBytes()).as("then end of stream").isEqualTo(Arrays.copyOf(data, 777));
        s.setSoTimeout(10_000);
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("reset");
      }
      assertThat(cut.offset()).isEqualTo(777);
    }
  }

  @Test
  void cutsInsideTheNextMarkerAndRefusesASecondFaultInTheSameDirectionMeanwhile() throws Exception {
    byte[] marker = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);
    ProxyFault cut = proxy.cutInside(Direction.TO_CLIENT, marker, 5);
    assertThatThrownBy(() -> proxy.flipAt(Direction.TO_CLIENT, 3)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already");
    byte[] data = "GET / HTTP/1.1 200 OK and more".getBytes(StandardCharsets.US_ASCII);
    try (Socket s = connect()) {
      s.getOutputStream().write(data);
      assertThat(new String(readUpTo(s, data.length), StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/");
    }
    assertThat(cut.offset()).isEqualTo(11);
    proxy.flipAt(Direction.TO_CLIENT, 3).cancel();
    ProxyFault pending = proxy.cutAt(Direction.TO_CLIENT, 3);
    proxy.heal();
    proxy.cutAt(Direction.TO_CLIENT, 3);
    assertThat(pending.happened()).isFalse();
  }

  private static java.util.List<Integer> differences(byte[] expected, byte[] actual) {
    assertThat(actual).hasSameSizeAs(expected);
    java.util.List<Integer> at = new java.util.ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        at.add(i);
      }
    }
    return at;
  }
}
