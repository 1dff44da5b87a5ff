package dev.ferry.node.run;

import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.journal.model.Side;
import dev.ferry.transport.CopyFeed;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.archive.DirectoryReceiver;
import dev.ferry.transport.http.HttpReceiver;
import dev.ferry.transport.push.PushReceiver;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica node's copy feed that follows {@code journal-from.json} ({@link JournalFromOverride})
 * while it runs: a watcher looks at the file's modification time every {@link #CHECK_EVERY} (one
 * stat) and, when the source it names differs from the one received from, stops the receiver
 * after the segment in hand and starts one on the new source. The new receiver makes the same
 * checks as at a start (over HTTP, the copy's newest segment compared byte for byte with the new
 * source's): a refused source shows in the link's status as always. A push listener is never
 * switched. Thread-safe.
 */
final class RepointableFeed implements CopyFeed {
  static final Duration CHECK_EVERY = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(RepointableFeed.class);

  private final JournalConfig copy;
  private final JournalFrom configured;
  private final Set<String> replicas;
  private final Thread watcher;
  private volatile CopyFeed current;
  private volatile JournalFrom source;
  private volatile boolean stopping;
  private Optional<FileTime> seen;

  private RepointableFeed(JournalConfig copy, JournalFrom configured, Set<String> replicas) {
    this.copy = copy;
    this.configured = configured;
    this.replicas = replicas;
    this.watcher = Thread.ofVirtual().name("ferry-repoint-watch").unstarted(this::watch);
  }

  /** Receives into {@code copy} from the override of {@code configured}, if any, else from {@code configured}. */
  static RepointableFeed start(JournalConfig copy, JournalFrom configured, Set<String> replicas) throws IOException {
    RepointableFeed f = new RepointableFeed(copy, configured, replicas);
    f.seen = JournalFromOverride.stamp(copy.directory());
    f.source = JournalFromOverride.effective(copy.directory(), configured);
    if (f.source != configured) {
      log.info("{} journal.from re-pointed by {}: receiving from {} instead of the configured {}",
          Side.journal(copy.directory()), JournalFromOverride.FILE, JournalFromOverride.describe(f.source),
          JournalFromOverride.describe(configured));
    }
    f.current = receiver(copy, f.source, replicas);
    if (!(configured instanceof JournalFrom.Listen)) {
      f.watcher.start();
    }
    return f;
  }

  private static CopyFeed receiver(JournalConfig copy, JournalFrom from, Set<String> replicas) throws IOException {
    return switch (from) {
      case JournalFrom.Directory d -> DirectoryReceiver.start(copy, d);
      case JournalFrom.Http h -> HttpReceiver.start(copy, h);
      case JournalFrom.Listen l -> PushReceiver.start(copy, l, replicas);
    };
  }

  private void watch() {
    while (!stopping) {
      try {
        Thread.sleep(CHECK_EVERY);
        Optional<FileTime> now = JournalFromOverride.stamp(copy.directory());
        if (!now.equals(seen)) {
          seen = now;
          switchIfMoved();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        seen = null; // look again at the next check
        log.error("{} cannot follow {}: {}; still receiving from {}", Side.journal(copy.directory()),
            JournalFromOverride.FILE, e.getMessage(), JournalFromOverride.describe(source));
      }
    }
  }

  private synchronized void switchIfMoved() throws IOException, InterruptedException {
    JournalFrom next = JournalFromOverride.effective(copy.directory(), configured);
    if (stopping || Objects.equals(next, source)) {
      return;
    }
    log.info("{} journal.from re-pointed by {} while running: switching from {} to {}",
        Side.journal(copy.directory()), JournalFromOverride.FILE, JournalFromOverride.describe(source),
        JournalFromOverride.describe(next));
    current.close();
    try {
      current = receiver(copy, next, replicas);
    } catch (IOException e) {
      // Not switched: receive from the source before, and look at the file again at the next check.
      current = receiver(copy, source, replicas);
      throw e;
    }
    source = next;
  }

  /** The source received from now (the override's, or the configured one). */
  JournalFrom source() {
    return source;
  }

  @Override
  public LinkStatus status() {
    return current.status();
  }

  @Override
  public boolean awaitCopy(Duration timeout) throws InterruptedException {
    return current.awaitCopy(timeout);
  }

  @Override
  public boolean awaitsApplied() {
    return current.awaitsApplied();
  }

  @Override
  public void applied(String replica, JournalPosition position) {
    current.applied(replica, position);
  }

  /** Stops receiving; a switch under way finishes first (it holds the lock), none starts after. */
  @Override
  public void close() throws IOException, InterruptedException {
    stopping = true;
    synchronized (this) {
      current.close();
    }
    watcher.interrupt();
    if (watcher.isAlive()) {
      watcher.join();
    }
  }
}
