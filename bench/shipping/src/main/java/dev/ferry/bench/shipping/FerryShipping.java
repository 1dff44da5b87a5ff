package dev.ferry.bench.shipping;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.transport.CopyFeed;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import dev.ferry.transport.http.HttpReceiver;
import dev.ferry.transport.http.HttpServeConfig;
import dev.ferry.transport.http.SegmentServer;
import dev.ferry.transport.push.LinkTiming;
import dev.ferry.transport.push.PushReceiver;
import dev.ferry.transport.push.PushSupplier;
import dev.ferry.transport.push.PushTarget;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's real transports, each shipping the whole backlog into an empty copy directory, timed
 * from the start of the receiving side's work until the receiving link counts every sealed segment
 * of the backlog as received (polled every millisecond). Both ends run in this JVM and talk over 127.0.0.1,
 * plain (no TLS), with default settings.
 */
final class FerryShipping {
  private static final SharedSecret SECRET = new SharedSecret("bench-shared-secret-0123456789");
  private static final Duration GIVE_UP = Duration.ofMinutes(10);

  private FerryShipping() {
  }

  /**
   * TCP push: a {@link PushReceiver} listens on the copy; the timing starts when the
   * {@link PushSupplier} of the (open) primary journal starts: connect, handshake, DATA frames of
   * up to 1 MiB (read ahead by the receiver while it appends and fsyncs the ones before, each
   * acknowledged once durable), a SEAL per segment.
   */
  static Meter.Turn push(Backlog backlog, Journal primary, Path copyDir) throws Exception {
    JournalFrom.Listen listen = new JournalFrom.Listen("127.0.0.1", 0, SECRET, Optional.empty(), LinkTiming.DEFAULT);
    try (PushReceiver receiver = PushReceiver.start(JournalConfig.defaults(copyDir), listen, java.util.Set.of())) {
      PushTarget target = new PushTarget("bench", "127.0.0.1", receiver.port(), SECRET);
      Meter meter = Meter.start();
      PushSupplier supplier = PushSupplier.start(primary, target);
      try {
        awaitLast(backlog, copyDir, receiver);
        return meter.stop(backlog.bytes());
      } finally {
        supplier.close();
      }
    }
  }

  /**
   * HTTP: Ferry's {@link SegmentServer} on the primary's journal, started before the timing but
   * anew for each turn (so the first listing computes every segment's SHA-256, as it does for a
   * backlog nobody listed yet); the timing starts when the {@link HttpReceiver} starts: listing,
   * then each segment downloaded whole, its SHA-256 checked, ingested durably.
   */
  static Meter.Turn http(Backlog backlog, Path copyDir) throws Exception {
    try (SegmentServer server = SegmentServer.start(backlog.dir(), new HttpServeConfig("127.0.0.1", 0,
        Optional.empty()))) {
      JournalFrom.Http from = new JournalFrom.Http(URI.create("http://" + server.address() + "/"), Optional.empty());
      Meter meter = Meter.start();
      try (CopyReceiver receiver = HttpReceiver.start(JournalConfig.defaults(copyDir), from)) {
        awaitLast(backlog, copyDir, receiver);
        return meter.stop(backlog.bytes());
      }
    }
  }

  /**
   * Waits until the link says it received as many sealed segments as the backlog holds: each was
   * then durable in the copy under its sealed name (renamed, directory fsynced).
   */
  static void awaitLast(Backlog backlog, Path copyDir, CopyFeed feed) throws InterruptedException {
    long deadline = System.nanoTime() + GIVE_UP.toNanos();
    while (feed.status().segments() < backlog.sealed().size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the copy in " + copyDir + " did not get all " + backlog.sealed().size()
            + " sealed segments within " + GIVE_UP + "; link: " + feed.status());
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }
}
