package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.JournalReader;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.SegmentState;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.testkit.FaultProxy;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.LinkState;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.SharedSecret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary's journal pushed to a receiver over TCP on 127.0.0.1: sealed segments byte-identical,
 * the live tail visible before its segment is sealed, resumption after the receiver restarts, and
 * refusals (a wrong secret, another journal) shown in the status of both ends.
 */
@Timeout(60)
class PushLinkTest {
  private static final SharedSecret SECRET = new SharedSecret("correct horse battery staple");
  // Heartbeats every 100 ms; a link silent for 5 s is dead. No test here waits for that timeout (each
  // closes or drops the connection), and 1 s of silence is a pause a loaded machine can take: a spurious
  // timeout there would add a reconnect (and an ERROR) to the exact counts the tests check.
  private static final LinkTiming FAST = new LinkTiming(Duration.ofMillis(100), Duration.ofMillis(5000),
      Duration.ofMillis(200), 1 << 20);
  @TempDir Path primary;
  @TempDir Path copy;

  private PushReceiver receiver(SharedSecret secret) throws Exception {
    return PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", 0, secret,
        Optional.empty(), FAST), Set.of());
  }

  private static PushTarget target(PushReceiver r, SharedSecret secret) {
    return new PushTarget("r1", "127.0.0.1", r.port(), secret, Optional.empty(), FAST, SyncLevel.NONE,
        PushTarget.DEFAULT_SYNC_TIMEOUT);
  }

  private static Journal journal(Path dir) throws Exception {
    return Journal.open(JournalConfig.defaults(dir).withSegmentBytes(4096));
  }

  static void await(String what, BooleanSupplier condition, Object status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; status " + status);
      }
      Thread.sleep(10);
    }
  }

  private List<Long> sequences() throws Exception {
    return sequences(copy);
  }

  /** The sequence numbers of every transaction in the copy in {@code dir}, in journal order. */
  static List<Long> sequences(Path copy) throws Exception {
    List<Long> seqs = new ArrayList<>();
    try (JournalReader reader = JournalReader.openAtOldest(copy)) {
      for (var t = reader.next(Duration.ZERO); t.isPresent(); t = reader.next(Duration.ZERO)) {
        seqs.add(t.get().gtid().seq());
      }
    }
    return seqs;
  }

  private void assertSealedSegmentsIdentical() throws Exception {
    assertSealedSegmentsIdentical(primary, copy);
  }

  /** Every sealed segment of the journal in {@code primary} is in {@code copy}, byte for byte. */
  static void assertSealedSegmentsIdentical(Path primary, Path copy) throws Exception {
    List<SegmentInfo> sealed = JournalInspector.list(primary).stream().filter(s -> s.state() != SegmentState.OPEN)
        .toList();
    assertThat(sealed).isNotEmpty();
    for (SegmentInfo s : sealed) {
      assertThat(copy.resolve(s.path().getFileName())).as("segment %d in the copy", s.number())
          .hasSameBinaryContentAs(s.path());
    }
  }

  @Test
  void pushesSealedSegmentsAndTheLiveTailAndResumesAfterTheReceiverRestarts() throws Exception {
    try (Journal journal = journal(primary)) {
      for (int seq = 1; seq <= 200; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
      PushReceiver r = receiver(SECRET);
      try (PushSupplier s = PushSupplier.start(journal, target(r, SECRET))) {
        JournalPosition tail = journal.append(Transactions.accounts(201)).join();
        await("the tail is acknowledged", () -> s.acked().map(p -> p.compareTo(tail) > 0).orElse(false), s.status());
        assertThat(sequences()).as("the live tail is in the copy before its segment is sealed")
            .containsExactlyElementsOf(range(1, 201));
        assertThat(s.status().state()).isEqualTo(LinkState.STREAMING);
        assertThat(r.status().state()).isEqualTo(LinkState.STREAMING);
        r.close();
        for (int seq = 202; seq <= 400; seq++) {
          journal.append(Transactions.accounts(seq)).join();
        }
        await("the supplier notices", () -> s.status().state() == LinkState.RETRYING, s.status());
        r = PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", r.port(), SECRET,
            Optional.empty(), FAST), Set.of());
        JournalPosition last = journal.append(Transactions.accounts(401)).join();
        await("the copy resumes", () -> s.acked().map(p -> p.compareTo(last) > 0).orElse(false), s.status());
        await("the primary keeps segments from the one the copy holds open", () -> {
          try {
            return journal.consumers().get("push.r1").equals(JournalPosition.startOf(s.acked().get().segment()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, s.status());
        LinkStatus status = s.status();
        assertThat(status.sent()).hasValueSatisfying(p -> assertThat(p).isGreaterThan(last));
        assertThat(status.segments()).isPositive();
        assertThat(status.reconnects()).as("connected again once after the receiver restarted").isEqualTo(1);
        assertThat(status.bytes()).as("at least the journal up to where it was sent")
            .isGreaterThanOrEqualTo(bytesBefore(primary, status.sent().orElseThrow()));
        assertThat(r.status().reconnects()).as("a new receiver's first supplier").isZero();
      } finally {
        r.close();
      }
    }
    assertThat(sequences()).containsExactlyElementsOf(range(1, 401));
    assertSealedSegmentsIdentical();
  }

  @Test
  void aWrongSecretIsRefusedByBothEndsAndNothingIsSent() throws Exception {
    try (Journal journal = journal(primary)) {
      journal.append(Transactions.accounts(1)).join();
      try (PushReceiver r = receiver(SECRET);
          PushSupplier s = PushSupplier.start(journal, target(r, new SharedSecret("not the secret at all")))) {
        await("the supplier shows the refusal", () -> s.status().lastError().isPresent(), s.status());
        assertThat(s.status().lastError().orElseThrow()).contains("does not know the shared secret");
        assertThat(s.status().state()).isEqualTo(LinkState.RETRYING);
        await("the receiver shows it", () -> r.status().lastError().isPresent(), r.status());
        assertThat(r.status().lastError().orElseThrow()).contains("authentication failed");
        assertThat(r.awaitCopy(Duration.ZERO)).isFalse();
      }
    }
  }

  @Test
  void aCopyOfAnotherJournalIsRefused(@TempDir Path other) throws Exception {
    try (Journal first = journal(primary)) {
      first.append(Transactions.accounts(1)).join();
      try (PushReceiver r = receiver(SECRET); PushSupplier s = PushSupplier.start(first, target(r, SECRET))) {
        await("the copy exists", () -> s.acked().map(p -> p.offset() > 0).orElse(false), s.status());
        try (Journal second = journal(other)) {
          second.append(Transactions.accounts(1)).join();
          s.close();
          try (PushSupplier wrong = PushSupplier.start(second, target(r, SECRET))) {
            // The first try may meet the closed supplier's connection still held ("one at a time").
            await("refused", () -> wrong.status().lastError().filter(e -> !e.contains("one at a time")).isPresent(),
                wrong.status());
            assertThat(wrong.status().lastError().orElseThrow()).contains("holds a copy of journal " + first.id())
                .contains("pushes journal " + second.id());
          }
        }
      }
    }
  }

  /**
   * After a promotion: the copy received more of the old primary's history than the promoted node's
   * journal (which shares the prefix, then holds less, then its own transactions). Pushed by the
   * promoted node, the copy refuses before taking anything, naming its newest segment and GTID.
   */
  @Test
  void aCopyHoldingMoreOrOtherHistoryThanThePromotedSupplierIsRefusedNamingTheSegment(@TempDir Path promoted)
      throws Exception {
    try (Journal journal = journal(primary)) {
      for (int seq = 1; seq <= 30; seq++) {
        journal.append(Transactions.accounts(seq)).join();
      }
    }
    copyFiles(primary, promoted); // the promoted node's copy of the old primary's journal: the shared prefix
    try (PushReceiver r = receiver(SECRET)) {
      try (Journal journal = journal(primary)) {
        JournalPosition last = JournalPosition.startOf(1);
        for (int seq = 31; seq <= 45; seq++) {
          last = journal.append(Transactions.accounts(seq)).join();
        }
        JournalPosition sentLast = last;
        try (PushSupplier s = PushSupplier.start(journal, target(r, SECRET))) {
          await("the copy holds all 45", () -> s.acked().map(p -> p.compareTo(sentLast) > 0).orElse(false), s.status());
        }
      }
      SegmentInfo newest = JournalInspector.list(copy).getLast();
      String gtid = "GTID " + newest.firstGtid().orElseThrow();
      try (Journal journal = journal(promoted)) {
        assertRefused(r, journal, newest.number(), gtid, "only"); // holds less of that segment
        for (int seq = 31; seq <= 60; seq++) {
          journal.append(Transactions.message(seq, 50)).join(); // its own history after the branch point
        }
        assertRefused(r, journal, newest.number(), gtid, "differs");
      }
      assertThat(r.status().state()).isEqualTo(LinkState.REFUSED);
    }
    assertThat(sequences()).as("the copy took nothing of the promoted journal").containsExactlyElementsOf(range(1, 45));
  }

  private static void assertRefused(PushReceiver r, Journal journal, long segment, String gtid, String why)
      throws Exception {
    try (PushSupplier s = PushSupplier.start(journal, target(r, SECRET))) {
      await("refused", () -> s.status().lastError().filter(e -> e.contains("refused segment")).isPresent(),
          s.status());
      assertThat(s.status().lastError().orElseThrow()).contains("refused segment " + segment).contains(gtid)
          .contains(why).contains("seed it again");
      assertThat(r.status().lastError().orElseThrow()).contains("refused segment " + segment).contains(gtid);
    }
  }

  private static void copyFiles(Path from, Path to) throws Exception {
    try (var files = java.nio.file.Files.list(from)) {
      for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
        java.nio.file.Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void aDroppedConnectionIsReEstablishedAndCountedOnceAtEachEndAndEveryByteOnce() throws Exception {
    try (Journal journal = journal(primary); PushReceiver r = receiver(SECRET);
        FaultProxy proxy = FaultProxy.start(r.port());
        PushSupplier s = PushSupplier.start(journal, new PushTarget("r1", "127.0.0.1", proxy.port(), SECRET,
            Optional.empty(), FAST, SyncLevel.NONE, PushTarget.DEFAULT_SYNC_TIMEOUT))) {
      for (int i = 1; i <= 2; i++) {
        final int round = i;
        JournalPosition tail = null;
        for (int seq = 1; seq <= 150; seq++) {
          tail = journal.append(Transactions.accounts((round - 1) * 150L + seq)).join();
        }
        JournalPosition end = tail;
        await("round " + round + " is acknowledged", () -> s.acked().map(p -> p.compareTo(end) > 0).orElse(false),
            s.status());
        assertThat(s.status().reconnects()).as("round %d", round).isEqualTo(round - 1);
        assertThat(r.status().reconnects()).as("round %d", round).isEqualTo(round - 1);
        assertThat(r.status().bytes()).as("the copy's bytes, each once").isEqualTo(copyBytes());
        assertThat(s.status().bytes()).as("sent, and the bytes lost with the connection again")
            .isGreaterThanOrEqualTo(r.status().bytes());
        assertThat(proxy.dropAll()).isEqualTo(1);
        await("the supplier connects again", () -> s.status().reconnects() == round
            && s.status().state() == LinkState.STREAMING, s.status());
        await("the receiver counts it", () -> r.status().reconnects() == round, r.status());
      }
      JournalPosition last = journal.append(Transactions.accounts(301)).join();
      await("the last is acknowledged", () -> s.acked().map(p -> p.compareTo(last) > 0).orElse(false), s.status());
      assertThat(r.status().bytes()).isEqualTo(copyBytes());
      assertThat(s.status().reconnects()).isEqualTo(2);
      assertThat(r.status().reconnects()).isEqualTo(2);
    }
    assertThat(sequences()).containsExactlyElementsOf(range(1, 301));
  }

  /** The bytes of every segment file of the copy (nothing purged: no replica acknowledged anything). */
  private long copyBytes() throws Exception {
    return copyBytes(copy);
  }

  static long copyBytes(Path copy) throws Exception {
    return JournalInspector.list(copy).stream().mapToLong(SegmentInfo::sizeBytes).sum();
  }

  /** The bytes of the primary's journal before {@code position}. */
  private long bytesBefore(Path dir, JournalPosition position) throws Exception {
    return JournalInspector.list(dir).stream().filter(i -> i.number() < position.segment())
        .mapToLong(SegmentInfo::sizeBytes).sum() + position.offset();
  }

  static List<Long> range(long from, long to) {
    List<Long> l = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      l.add(i);
    }
    return l;
  }
}
