package dev.ferry.journal;

import dev.ferry.journal.SegmentFiles.SegmentFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies the journal {@code args[0]} into the copy {@code args[1]} by ingest (odd segments as
 * records first, then sealed; even ones sealed at once) and halts the JVM (no shutdown hooks, no
 * closing) a random moment after the third step began, in the middle of the copying: a crash
 * while ingesting. {@code args[2]} seeds the moment. Run by {@link JournalIngestCrashTest}.
 */
public final class IngestCrashMain {
  private IngestCrashMain() {
  }

  public static void main(String[] args) throws Exception {
    Path primary = Path.of(args[0]);
    UUID id = JournalIdentity.read(primary);
    SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
    AtomicInteger steps = new AtomicInteger();
    Thread.ofPlatform().daemon(true).start(() -> {
      while (steps.get() < 3) {
        Thread.onSpinWait();
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(3000)));
      System.out.println("HALTING AFTER " + steps.get() + " STEPS");
      System.out.flush();
      Runtime.getRuntime().halt(9);
    });
    try (JournalIngest copy = JournalIngest.open(JournalConfig.defaults(Path.of(args[1])), id)) {
      for (SegmentFile s : SegmentFiles.list(primary)) {
        byte[] bytes = Files.readAllBytes(s.path());
        if (s.open() || s.number() % 2 == 1) {
          List<Long> cuts = IngestFixture.boundaries(s.path(), s.number());
          int middle = (int) (long) cuts.get(cuts.size() / 2);
          step(steps, "records " + s.number());
          copy.appendRecords(s.number(), 0, Arrays.copyOfRange(bytes, 0, middle));
          step(steps, "records " + s.number() + " from " + middle);
          copy.appendRecords(s.number(), middle, Arrays.copyOfRange(bytes, middle, bytes.length));
        }
        if (!s.open()) {
          step(steps, "segment " + s.number());
          copy.appendSegment(s.number(), bytes);
        }
      }
    }
    System.out.println("DONE");
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static void step(AtomicInteger steps, String what) {
    System.out.println("STEP " + steps.incrementAndGet() + ": " + what);
  }
}
