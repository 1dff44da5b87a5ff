package dev.ferry.transport.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body that gives up when no byte arrives for a while. The JDK's HTTP client times out
 * only until the headers arrive; a server or proxy that stops sending mid-body (a black-holed link,
 * a stalled disk) would otherwise hold the receiver forever. A guarded stream is closed by a shared
 * watchdog thread once {@code stall} passes without progress, and the blocked read then fails with
 * an error saying so. Thread-safe: one reader thread, the watchdog closes.
 */
final class StallGuard extends FilterInputStream {
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ferry-http-stall-guard");
    t.setDaemon(true);
    return t;
  });
  private final Duration stall;
  private final String what;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  private StallGuard(InputStream in, Duration stall, String what) {
    super(in);
    this.stall = stall;
    this.what = what;
    long period = Math.max(10, stall.toMillis() / 4);
    this.check = WATCHDOG.scheduleWithFixedDelay(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
  }

  /** {@code in}, failing a read once {@code stall} has passed without a byte. */
  static StallGuard watch(InputStream in, Duration stall, String what) {
    return new StallGuard(in, stall, what);
  }

  private void checkProgress() {
    if (System.nanoTime() - lastProgress > stall.toNanos()) {
      stalled = true;
      check.cancel(false);
      try {
        in.close();
      } catch (IOException | RuntimeException e) {
        // closing is all that is wanted; the reader reports the stall
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (IOException e) {
      throw stalled ? stallError(e) : e;
    }
    if (stalled) {
      throw stallError(null);
    }
    lastProgress = System.nanoTime();
    return n;
  }

  private IOException stallError(IOException cause) {
    return new IOException(what + ": no data for " + stall.toMillis() + " ms mid-body; giving up on this response",
        cause);
  }

  @Override
  public void close() throws IOException {
    check.cancel(false);
    super.close();
  }
}
