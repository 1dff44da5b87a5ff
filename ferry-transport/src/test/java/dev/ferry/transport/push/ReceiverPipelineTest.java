package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalTail;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push receiver reads the next frames while the previous one is being written and fsynced,
 * acknowledges only what is durable, and writes the DATA frames that queued up meanwhile with one
 * write and one fsync. The first write into the copy is held (a hook on the writing thread) until
 * the test has seen the rest of the stream read: with the frames written in line before the next
 * read, no frame after the first would ever be read and the test would fail, however fast the
 * machine (checked once: with the session thread reading each frame itself, as before commit
 * fbfb932, it fails at the first wait, the copy's status showing nothing received).
 */
@Timeout(120)
class ReceiverPipelineTest {
  private static final SharedSecret SECRET = new SharedSecret("correct horse battery staple");
  /** DATA frames of at most 64 KiB - 64 bytes: several per 256 KiB segment. */
  private static final LinkTiming SMALL_FRAMES = new LinkTiming(Duration.ofMillis(100), Duration.ofSeconds(5),
      Duration.ofMillis(200), 64 << 10);
  @TempDir Path primary;
  @TempDir Path copy;

  @Test
  void readsTheNextFramesWhileTheFirstIsMadeDurableAndGroupsThemIntoOneFsync() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary).withSegmentBytes(256 << 10))) {
      CompletableFuture<JournalPosition> appended = null;
      for (int seq = 1; seq <= 16000; seq++) {
        appended = journal.append(Transactions.accounts(seq));
      }
      JournalPosition last = appended.join();
      Frames frames = frames(journal);
      assertThat(frames.sealed()).as("the backlog spans sealed segments").isGreaterThanOrEqualTo(2);
      assertThat(frames.data()).as("several DATA frames per segment").isGreaterThan(3 * (frames.sealed() + 1));

      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger writes = new AtomicInteger();
      PushReceiver r = PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", 0, SECRET,
          Optional.empty(), SMALL_FRAMES), Set.of());
      r.beforeWrite(() -> {
        if (writes.incrementAndGet() == 1) {
          held.countDown();
          awaitQuietly(release);
        }
      });
      try (PushSupplier s = PushSupplier.start(journal, new PushTarget("r1", "127.0.0.1", r.port(), SECRET,
          Optional.empty(), SMALL_FRAMES, SyncLevel.NONE, PushTarget.DEFAULT_SYNC_TIMEOUT))) {
        assertThat(held.await(30, TimeUnit.SECONDS)).as("the first write reached the hook").isTrue();
        PushLinkTest.await("every frame of the backlog is read while the first write is held",
            () -> r.framesRead() >= frames.data() + frames.sealed(), r.status());
        assertThat(r.status().received()).as("nothing acknowledged while the first write is not durable").isEmpty();
        assertThat(s.acked()).as("the supplier got no ACK past the handshake's STATE")
            .hasValue(JournalPosition.startOf(1));
        release.countDown();
        PushLinkTest.await("the copy acknowledges the whole journal", () -> s.acked().map(p -> p.compareTo(last) > 0)
            .orElse(false), s.status());
      } finally {
        release.countDown();
        r.close();
      }
      assertThat(writes.get()).as("writes (each with its fsync) for %d DATA and %d SEAL frames", frames.data(),
          frames.sealed()).isLessThanOrEqualTo(1 + 2 * (frames.sealed() + 1));
      PushLinkTest.assertSealedSegmentsIdentical(primary, copy);
    }
  }

  private record Frames(int data, int sealed) {
  }

  /** The DATA and SEAL frames the supplier sends for the whole journal, counted as it chunks it. */
  private static Frames frames(Journal journal) throws Exception {
    JournalTail tail = journal.tail();
    JournalPosition at = JournalPosition.startOf(1);
    int data = 0;
    int sealed = 0;
    for (Optional<JournalTail.Chunk> c = tail.read(at, SMALL_FRAMES.chunk()); c.isPresent();
        c = tail.read(at, SMALL_FRAMES.chunk())) {
      data += c.get().bytes().length > 0 ? 1 : 0;
      sealed += c.get().sealedRecords().isPresent() ? 1 : 0;
      at = c.get().next();
    }
    return new Frames(data, sealed);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
