package dev.ferry.transport.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.JournalTransaction;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.CopyReceiver;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal copy fed from an incoming directory: segments taken strictly in order whatever order
 * they arrive in, redeliveries harmless, a missing number waited for, another journal refused.
 */
@Timeout(60)
class DirectoryReceiverTest {
  @TempDir Path primary;
  @TempDir Path incoming;
  @TempDir Path copy;

  /** Writes {@code count} small transactions into a journal of 4 KiB segments in {@code dir}; returns its sealed segments. */
  private static List<SegmentInfo> primaryJournal(Path dir, int count) throws IOException {
    try (Journal journal = Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096))) {
      for (int seq = 1; seq <= count; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    return JournalInspector.list(dir).stream().filter(s -> s.state() != SegmentState.OPEN).toList();
  }

  private static void deliver(SegmentInfo s, Path incoming) throws IOException {
    Path tmp = incoming.resolve(".incoming.tmp");
    Files.copy(s.path(), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, incoming.resolve(s.path().getFileName()), StandardCopyOption.ATOMIC_MOVE);
  }

  private CopyReceiver start() throws IOException {
    return DirectoryReceiver.start(JournalConfig.defaults(copy),
        new JournalFrom.Directory(incoming, Duration.ofMillis(20)));
  }

  private static LinkStatus await(CopyReceiver r, String what, Predicate<LinkStatus> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.test(r.status())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; status " + r.status());
      }
      Thread.sleep(10);
    }
    return r.status();
  }

  private static boolean holds(LinkStatus s, long segmentsThrough) {
    return s.received().map(p -> p.segment() > segmentsThrough).orElse(false);
  }

  /** The sequence numbers of every transaction in the copy, in journal order. */
  private List<Long> sequences() throws Exception {
    List<Long> seqs = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(copy)) {
      for (var t = reader.next(Duration.ZERO); t.isPresent(); t = reader.next(Duration.ZERO)) {
        seqs.add(t.get().gtid().seq());
      }
    }
    return seqs;
  }

  private void assertSameBytes(List<SegmentInfo> sealed) throws IOException {
    for (SegmentInfo s : sealed) {
      assertThat(copy.resolve(s.path().getFileName())).as("segment %d in the copy", s.number())
          .hasSameBinaryContentAs(s.path());
    }
  }

  @Test
  void takesSegmentsInOrderWhateverOrderTheyArriveInAndAppliesEachGtidOnce() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 300);
    assertThat(sealed).hasSizeGreaterThan(3);
    int n = sealed.size();
    try (CopyReceiver r = start()) {
      deliver(sealed.get(1), incoming); // N+1 before N: the copy waits for segment 1
      LinkStatus waiting = await(r, "it waits for segment 1", s -> s.state() == LinkState.WAITING);
      assertThat(waiting.waitingFor()).contains(1L);
      assertThat(waiting.received()).isEmpty();
      deliver(sealed.get(0), incoming);
      await(r, "segments 1 and 2 are in the copy", s -> holds(s, 2));
      deliver(sealed.get(0), incoming); // the same segment again
      for (int i = n - 1; i >= 2; i--) { // the rest newest first
        deliver(sealed.get(i), incoming);
      }
      LinkStatus done = await(r, "every segment is in the copy", s -> holds(s, n));
      assertThat(done.waitingFor()).contains((long) n + 1);
      assertThat(done.lastError()).isEmpty();
      assertThat(done.segments()).isEqualTo(n);
      assertThat(done.bytes()).as("each segment's bytes once: the redelivery is not counted")
          .isEqualTo(sealed.stream().mapToLong(SegmentInfo::sizeBytes).sum());
      assertThat(done.reconnects()).isZero();
    }
    assertSameBytes(sealed);
    List<Long> seqs = sequences();
    assertThat(seqs).isEqualTo(java.util.stream.LongStream.rangeClosed(1, seqs.size()).boxed().toList());
  }

  @Test
  void anOldSegmentRedeliveredAfterNewerOnesIsIgnoredWhenItsBytesAreTheCopys() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 150);
    try (CopyReceiver r = start()) {
      for (SegmentInfo s : sealed) {
        deliver(s, incoming);
      }
      await(r, "everything is in the copy", s -> holds(s, sealed.size()));
      Files.delete(incoming.resolve(sealed.get(0).path().getFileName()));
      Thread.sleep(100);
      deliver(sealed.get(0), incoming); // an old segment after newer ones
      Thread.sleep(200);
      assertThat(r.status().state()).isEqualTo(LinkState.WAITING);
      assertThat(r.status().lastError()).isEmpty();
    }
    assertSameBytes(sealed);
    assertThat(sequences()).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void refusesASegmentOfAnotherJournalNamingItAndNeverSkipsIt(@TempDir Path other) throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 150);
    List<SegmentInfo> foreign = primaryJournal(other, 150);
    try (CopyReceiver r = start()) {
      deliver(sealed.get(0), incoming);
      await(r, "segment 1 is in the copy", s -> holds(s, 1));
      deliver(foreign.get(1), incoming);
      deliver(sealed.get(2), incoming);
      LinkStatus refused = await(r, "segment 2 is refused", s -> s.state() == LinkState.REFUSED);
      UUID ours = JournalInspector.journalId(copy);
      assertThat(refused.lastError().orElseThrow()).contains("refused segment 2 at offset 16")
          .contains("belongs to journal " + JournalInspector.journalId(other)).contains("copy of journal " + ours);
      assertThat(refused.waitingFor()).contains(2L);
      assertThat(refused.received()).contains(JournalPosition.startOf(2));
      deliver(sealed.get(1), incoming); // the right file replaces the wrong one
      LinkStatus after = await(r, "segments 2 and 3 are in the copy", s -> holds(s, 3));
      assertThat(after.lastError()).isEmpty();
      assertThat(after.reconnects()).as("got through again after the refusals").isEqualTo(1);
      assertThat(after.bytes()).as("the refused file is not counted")
          .isEqualTo(sealed.subList(0, 3).stream().mapToLong(SegmentInfo::sizeBytes).sum());
    }
    assertSameBytes(sealed.subList(0, 3));
  }

  @Test
  void refusesAFileStillBeingCopiedInPlaceUntilItIsWhole() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 150);
    byte[] whole = Files.readAllBytes(sealed.get(0).path());
    Path target = incoming.resolve(sealed.get(0).path().getFileName());
    long cut = frameBoundaryBefore(sealed.get(0).path(), whole.length / 2);
    Files.write(target, java.util.Arrays.copyOf(whole, (int) cut)); // cut at a record boundary, as scp leaves it
    try (CopyReceiver r = start()) {
      LinkStatus refused = await(r, "the cut file is refused", s -> s.state() == LinkState.REFUSED);
      assertThat(refused.lastError().orElseThrow()).contains("refused segment 1").contains("records, its " + cut
          + " bytes hold");
      Files.write(target, whole);
      await(r, "the whole file is taken", s -> holds(s, 1));
    }
    assertSameBytes(sealed.subList(0, 1));
  }

  @Test
  void countsAReconnectWhenTheIncomingDirectoryIsBackAfterItWasGone() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 150);
    Path aside = incoming.resolveSibling(incoming.getFileName() + "-aside");
    try (CopyReceiver r = start()) {
      deliver(sealed.get(0), incoming);
      await(r, "segment 1 is in the copy", s -> holds(s, 1));
      assertThat(r.status().reconnects()).isZero();
      Files.move(incoming, aside);
      await(r, "the missing directory is reported", s -> s.state() == LinkState.RETRYING);
      Files.move(aside, incoming);
      for (SegmentInfo s : sealed) {
        deliver(s, incoming);
      }
      LinkStatus done = await(r, "everything is in the copy", s -> holds(s, sealed.size()));
      assertThat(done.reconnects()).isEqualTo(1);
      assertThat(done.bytes()).isEqualTo(sealed.stream().mapToLong(SegmentInfo::sizeBytes).sum());
    }
  }

  /** The offset of the last record boundary at or before {@code limit} in a segment file. */
  private static long frameBoundaryBefore(Path segment, long limit) throws Exception {
    long boundary = 0;
    try (JournalReader reader = JournalReader.openAt(segment.getParent(), JournalPosition.startOf(1))) {
      for (var t = reader.next(Duration.ZERO); t.isPresent(); t = reader.next(Duration.ZERO)) {
        JournalPosition next = t.get().nextPosition();
        if (next.segment() != 1 || next.offset() > limit) {
          break;
        }
        boundary = next.offset();
      }
    }
    return boundary;
  }

  @Test
  void resumesAfterARestartFromWhereTheCopyEnds() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 150);
    try (CopyReceiver r = start()) {
      deliver(sealed.get(0), incoming);
      await(r, "segment 1 is in the copy", s -> holds(s, 1));
    }
    for (SegmentInfo s : sealed) {
      deliver(s, incoming);
    }
    try (CopyReceiver r = start()) {
      assertThat(r.awaitCopy(Duration.ZERO)).as("the copy exists from the start").isTrue();
      await(r, "everything is in the copy", s -> holds(s, sealed.size()));
    }
    assertSameBytes(sealed);
  }

  @Test
  void purgesOnlyWhatEveryReplicaOfTheCopyAcknowledged() throws Exception {
    List<SegmentInfo> sealed = primaryJournal(primary, 300);
    int n = sealed.size();
    Files.createDirectories(copy);
    Journal.acknowledge(copy, "r1", JournalPosition.startOf(1));
    Journal.acknowledge(copy, "r2", JournalPosition.startOf(1));
    try (CopyReceiver r = start()) {
      for (SegmentInfo s : sealed) {
        deliver(s, incoming);
      }
      await(r, "everything is in the copy", s -> holds(s, n));
      Journal.acknowledge(copy, "r1", JournalPosition.startOf(n));
      Thread.sleep(200);
      assertThat(JournalInspector.list(copy)).as("r2 applied nothing: nothing purged").hasSize(n);
      Journal.acknowledge(copy, "r2", JournalPosition.startOf(3));
      await(r, "segments 1 and 2 are purged", s -> count(copy) == n - 2);
      await(r, "the link shows what every replica applied",
          s -> s.applied().equals(java.util.Optional.of(JournalPosition.startOf(3))));
    }
  }

  private static long count(Path dir) {
    try {
      return JournalInspector.list(dir).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
