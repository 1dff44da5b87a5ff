package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testkit.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrashTest {
  @TempDir
  Path dir;

  private static List<Long> acknowledged(String output) {
    List<Long> acks = new ArrayList<>();
    for (String line : output.split("\n", -1)) {
      if (line.startsWith("ACK ") && output.contains(line + "\n")) {
        acks.add(Long.parseLong(line.substring(4).strip()));
      }
    }
    return acks;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {20260101})
  @Timeout(240)
  void everyAcknowledgedAppendSurvivesKillDashNineInOrderWithoutDuplicatesOrGaps(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    long next = 1;
    for (int round = 1; round <= 10; round++) {
      List<Long> acks;
      try (JavaProcess writer = JavaProcess.start(CrashWriterMain.class, List.of("-Xmx256m"), dir.toString(),
          Long.toString(next))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (acknowledged(writer.output()).isEmpty()) {
          assertThat(writer.isAlive()).as("writer alive; output:%n%s", writer.output()).isTrue();
          assertThat(System.nanoTime()).as("first ack within 60 s").isLessThan(deadline);
          Thread.sleep(5);
        }
        Thread.sleep(random.nextInt(0, 400));
        writer.kill9();
        acks = acknowledged(writer.output());
      }
      List<Long> present;
      try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(64 << 10));
          JournalReader reader = journal.readerAtOldest()) {
        present = Journals.seqs(Journals.readAll(reader));
      }
      assertThat(present).as("round %d: journal holds 1..N with no gap or duplicate", round)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, present.size()).boxed().toList());
      assertThat(acks).as("round %d: acknowledged appends are contiguous from %d", round, next)
          .containsExactlyElementsOf(LongStream.range(next, next + acks.size()).boxed().toList());
      assertThat(present.size()).as("round %d: every acknowledged append is present", round)
          .isGreaterThanOrEqualTo((int) (next + acks.size() - 1));
      next = present.size() + 1;
    }
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(64 << 10))) {
      journal.append(TestData.small(next)).join();
    }
    assertThat(Journals.seqs(Journals.readAll(dir))).hasSize((int) next).isSorted();
    assertThat(JournalVerifier.verify(dir).problems()).isEmpty();
  }
}
