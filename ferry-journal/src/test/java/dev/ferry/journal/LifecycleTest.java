package dev.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealing, keeping for shipping and purging: the OPEN → SEALED → ARCHIVED → PURGED life of segments.
 * Archiving itself (a directory, a command) is ferry-transport's {@code ArchiverTest}.
 */
@Timeout(60)
class LifecycleTest {
  @TempDir
  Path dir;

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private static List<SegmentInfo> segments(Path dir) {
    try {
      return JournalInspector.list(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long count(Path dir, SegmentState state) {
    return segments(dir).stream().filter(s -> s.state() == state).count();
  }

  @Test
  void anOperatorsHoldAndAnOpenJournalExcludeEachOther() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      assertThat(Journal.hold(dir)).as("held by the open journal").isEmpty();
    }
    try (java.io.Closeable held = Journal.hold(dir).orElseThrow()) {
      assertThat(Journal.inUse(dir)).isTrue();
      assertThatThrownBy(() -> Journal.open(Journals.config(dir))).isInstanceOf(IOException.class)
          .hasMessageContaining("is already open for writing");
    }
    assertThat(Journal.inUse(dir)).as("released").isFalse();
  }

  @Test
  void sealsASegmentWhenItReachesItsSize() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096))) {
      for (int i = 1; i <= 200; i++) {
        journal.append(TestData.small(i)).join();
      }
    }
    List<SegmentInfo> infos = JournalInspector.list(dir);
    assertThat(infos).hasSizeGreaterThan(3);
    for (SegmentInfo info : infos.subList(0, infos.size() - 1)) {
      assertThat(info.state()).isEqualTo(SegmentState.SEALED);
      assertThat(info.sizeBytes()).isBetween(4096L, 4096L + 200);
      assertThat(info.path().getFileName().toString())
          .isEqualTo(SegmentFiles.sealedName(info.number(), info.recordCount()));
    }
    assertThat(infos.getFirst().firstGtid()).contains(new Gtid(0, 1, 1));
    assertThat(infos.getLast().lastGtid()).contains(new Gtid(0, 1, 200));
    assertThat(Journals.seqs(Journals.readAll(dir))).hasSize(200).isSorted();
  }

  @Test
  void sealsAnIdleSegmentWhenItReachesItsAge() throws Exception {
    TestData.ManualClock clock = new TestData.ManualClock();
    try (Journal journal = Journal.open(Journals.config(dir).withClock(clock).withSegmentAge(Duration.ofSeconds(60)))) {
      journal.append(TestData.small(1)).join();
      clock.advance(Duration.ofSeconds(59));
      Thread.sleep(300);
      assertThat(count(dir, SegmentState.OPEN)).isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      await("the idle segment is sealed by age", () -> count(dir, SegmentState.SEALED) == 1);
      assertThat(count(dir, SegmentState.OPEN)).isZero();
      journal.append(TestData.small(2)).join();
    }
    assertThat(JournalInspector.list(dir)).extracting(SegmentInfo::state)
        .containsExactly(SegmentState.SEALED, SegmentState.OPEN);
    assertThat(Journals.seqs(Journals.readAll(dir))).containsExactly(1L, 2L);
  }

  @Test
  void keepsASealedSegmentUntilItsShipperReportsItShipped() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096).withKeepUntilShipped(true))) {
      JournalPosition end = null;
      for (int i = 1; i <= 200; i++) {
        end = journal.append(TestData.small(i)).join();
      }
      journal.acknowledge("done", end);
      assertThat(journal.purge()).as("acknowledged but not shipped: nothing purged").isEmpty();
      SegmentShipping shipping = journal.shipping();
      SealedSegment first = shipping.next();
      SealedSegment second = shipping.next();
      List<SegmentInfo> before = JournalInspector.list(dir);
      assertThat(first.number()).isEqualTo(before.getFirst().number());
      assertThat(second.number()).isEqualTo(first.number() + 1);
      assertThat(first.path()).isEqualTo(before.getFirst().path());
      assertThat(first.recordCount()).isEqualTo(before.getFirst().recordCount());
      shipping.shipped(first);
      assertThat(JournalInspector.list(dir).getFirst().state()).isEqualTo(SegmentState.ARCHIVED);
      await("the shipped segment is purged", () -> segments(dir).getFirst().number() == second.number());
      assertThat(journal.purge()).as("the second is not shipped yet").isEmpty();
      assertThat(segments(dir).getFirst().state()).isEqualTo(SegmentState.SEALED);
    }
  }

  @Test
  void handsOutTheSegmentsSealedBeforeOpenThatWereNeverShippedFirst() throws Exception {
    JournalConfig config = Journals.config(dir).withSegmentBytes(4096).withKeepUntilShipped(true);
    long sealed;
    try (Journal journal = Journal.open(config)) {
      for (int i = 1; i <= 200; i++) {
        journal.append(TestData.small(i)).join();
      }
      journal.shipping().shipped(journal.shipping().next());
      sealed = count(dir, SegmentState.SEALED);
      assertThat(sealed).isGreaterThan(1);
    }
    try (Journal journal = Journal.open(config)) {
      List<SegmentInfo> waiting = segments(dir).stream().filter(s -> s.state() == SegmentState.SEALED).toList();
      for (SegmentInfo expected : waiting) {
        assertThat(journal.shipping().next().number()).isEqualTo(expected.number());
      }
      assertThat(waiting).hasSize((int) sealed);
    }
  }

  @Test
  void offersShippingOnlyToAJournalThatKeepsSegmentsForIt() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      assertThatThrownBy(journal::shipping).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keepUntilShipped");
    }
  }

  @Test
  void purgesOnlySegmentsBelowEveryConsumersPosition() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096))) {
      for (int i = 1; i <= 150; i++) {
        journal.append(TestData.small(i)).join();
      }
      List<SegmentInfo> before = JournalInspector.list(dir);
      assertThat(journal.purge()).as("no consumer: nothing purged").isEmpty();
      journal.acknowledge("fast", JournalPosition.startOf(before.get(4).number()));
      journal.acknowledge("slow", JournalPosition.startOf(before.get(2).number()));
      assertThat(journal.purge()).extracting(SegmentInfo::number)
          .containsExactly(before.get(0).number(), before.get(1).number());
      journal.acknowledge("slow", new JournalPosition(before.get(4).number(), 100));
      assertThat(journal.purge()).extracting(SegmentInfo::number)
          .containsExactly(before.get(2).number(), before.get(3).number());
      assertThat(JournalInspector.purgedThrough(dir)).isEqualTo(before.get(3).number());
      try (JournalReader reader = journal.readerAt(JournalPosition.startOf(before.get(4).number()))) {
        assertThat(reader.next(Duration.ZERO)).isPresent();
      }
    }
  }

  @Test
  void theNewestSegmentIsKeptWhenEveryConsumerHasItAllSoTheLastGtidOutlivesThePurge() throws Exception {
    // As a primary whose only segment was sealed by age and pushed: purging it too left a journal with no
    // transaction, and capture started again at GTID 1 (the replica node refused: GTID goes backwards).
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096)
        .withSegmentAge(Duration.ofMillis(200)))) {
      for (int i = 1; i <= 60; i++) {
        journal.append(TestData.small(i)).join();
      }
      await("the open segment sealed by age", () -> {
        try {
          return JournalInspector.list(dir).stream().noneMatch(s -> s.state() == SegmentState.OPEN);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      List<SegmentInfo> sealed = JournalInspector.list(dir);
      journal.acknowledge("replica", JournalPosition.startOf(sealed.getLast().number() + 1));
      assertThat(journal.purge()).extracting(SegmentInfo::number).doesNotContain(sealed.getLast().number());
      assertThat(JournalInspector.list(dir)).extracting(SegmentInfo::lastGtid)
          .containsExactly(Optional.of(new Gtid(0, 1, 60)));
    }
  }

  @Test
  void aSizeCapPurgesUnacknowledgedSegmentsAndTheConsumerGetsAnExplicitError() throws Exception {
    JournalPosition acked;
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096).withRetainedBytesCap(3 * 4096))) {
      acked = journal.append(TestData.small(1)).join();
      journal.acknowledge("laggard", acked);
      for (int i = 2; i <= 150; i++) {
        journal.append(TestData.small(i)).join();
      }
      journal.purge();
      assertThat(JournalInspector.list(dir).stream().mapToLong(SegmentInfo::sizeBytes).sum())
          .isLessThanOrEqualTo(4 * 4096 + 200);
    }
    try (JournalReader reader = JournalReader.openAt(dir, acked)) {
      assertThatThrownBy(() -> reader.next(Duration.ZERO)).isInstanceOf(PositionPurgedException.class)
          .hasMessageContaining("position " + acked + " purged")
          .hasMessageContaining("replica must be re-initialised");
    }
  }

  @Test
  void aReaderWakesUpPromptlyWhenTheWriterAppends() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      try (JournalReader inProcess = journal.readerAt(JournalPosition.startOf(1));
          JournalReader polling = JournalReader.openAt(dir, JournalPosition.startOf(1))) {
        assertThat(inProcess.next(Duration.ofMillis(50))).isEmpty();
        Thread writer = Thread.ofPlatform().start(() -> {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          journal.append(TestData.small(1));
        });
        long start = System.nanoTime();
        Optional<JournalTransaction> tx = inProcess.next(Duration.ofSeconds(10));
        long waitedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(tx).isPresent();
        // Woken by the append 200 ms in, not by the 10 s timeout: room for a loaded machine in between.
        assertThat(waitedMillis).isLessThan(5000);
        assertThat(polling.next(Duration.ofSeconds(10))).map(JournalTransaction::gtid).contains(new Gtid(0, 1, 1));
        writer.join();
      }
    }
  }

  @Test
  void aFollowingReaderCrossesIntoNewSegmentsAsTheyAreSealed() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir).withSegmentBytes(4096));
        JournalReader polling = JournalReader.openAt(dir, JournalPosition.startOf(1));
        JournalReader inProcess = journal.readerAt(JournalPosition.startOf(1))) {
      for (int i = 1; i <= 120; i++) {
        journal.append(TestData.small(i));
        if (i % 7 == 0) {
          assertThat(inProcess.next(Duration.ofSeconds(10)).orElseThrow().gtid().seq()).isEqualTo(i / 7);
        }
      }
      for (long seq = 1; seq <= 120; seq++) {
        assertThat(polling.next(Duration.ofSeconds(10)).orElseThrow().gtid().seq()).isEqualTo(seq);
      }
    }
  }

  @Test
  void failsEveryAppendAfterTheJournalIsClosed() throws Exception {
    Journal journal = Journal.open(Journals.config(dir));
    journal.append(TestData.small(1)).join();
    journal.close();
    assertThat(journal.append(TestData.small(2))).isCompletedExceptionally();
    assertThatCode(() -> Journal.open(Journals.config(dir)).close()).doesNotThrowAnyException();
  }

  @Test
  void refusesASecondWriterOnTheSameDirectory() throws Exception {
    try (Journal journal = Journal.open(Journals.config(dir))) {
      assertThatThrownBy(() -> Journal.open(Journals.config(dir))).hasMessageContaining("open for writing");
    }
  }
}
