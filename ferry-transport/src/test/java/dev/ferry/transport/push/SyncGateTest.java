package dev.ferry.transport.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalConfig;
import dev.ferry.journal.fixtures.Transactions;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.SharedSecret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synchronous gate over a real push link: level {@code apply} releases a transaction only once
 * the replica node's replicas acknowledged it in the copy; a replica node that stops acknowledging
 * is excluded after its sync timeout and included again once it caught up.
 */
@Timeout(60)
class SyncGateTest {
  private static final SharedSecret SECRET = new SharedSecret("correct horse battery staple");
  // Heartbeats every 100 ms; a link silent for 5 s is dead. No test here waits for that timeout (each
  // closes or drops the connection), and 1 s of silence is a pause a loaded machine can take: a spurious
  // timeout there would add a reconnect (and an ERROR) to the exact counts the tests check.
  private static final LinkTiming FAST = new LinkTiming(Duration.ofMillis(100), Duration.ofMillis(5000),
      Duration.ofMillis(200), 1 << 20);
  private static final long SYNC_TIMEOUT_MS = 5000;
  @TempDir Path primary;
  @TempDir Path copy;
  /** The receiver of {@link #withFirstReceived}, while it runs. */
  private PushReceiver receiver;

  @Test
  void applyLevelWaitsForTheReplicasAndASilentReplicaNodeIsExcludedAfterTheTimeout() throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary))) {
      PushReceiver r = PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", 0, SECRET,
          Optional.empty(), FAST), Set.of("replica"));
      // The sync timeout runs from gate.after(first): connecting, the ACK, the 300 ms below and the
      // replica's report must all fit in it on a loaded machine, or r1 is excluded instead of released.
      PushTarget target = new PushTarget("r1", "127.0.0.1", r.port(), SECRET, Optional.empty(), FAST,
          SyncLevel.APPLY, Duration.ofMillis(SYNC_TIMEOUT_MS));
      try (PushSupplier s = PushSupplier.start(journal, target); SyncGate gate = SyncGate.start(List.of(s))) {
        JournalPosition first = journal.append(Transactions.accounts(1)).join();
        CompletableFuture<JournalPosition> released = gate.after(first);
        awaitTrue(() -> s.acked().map(p -> p.compareTo(first) > 0).orElse(false));
        Thread.sleep(300);
        assertThat(released).as("received but not applied").isNotDone();
        Journal.acknowledge(copy, "replica", s.acked().orElseThrow()); // the copy's end: after the record
        assertThat(released.get(10, TimeUnit.SECONDS)).isEqualTo(first);
        assertThat(gate.excludedNames()).isEmpty();

        r.close();
        long start = System.nanoTime();
        JournalPosition second = journal.append(Transactions.accounts(2)).join();
        gate.after(second).get(SYNC_TIMEOUT_MS + 10_000, TimeUnit.MILLISECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
            .isBetween(SYNC_TIMEOUT_MS - 100, SYNC_TIMEOUT_MS + 6500);
        assertThat(gate.excludedNames()).containsExactly("r1");
        assertThat(s.status().lastError().orElseThrow()).contains("synchronous replica node excluded")
            .contains("(apply) journal position " + second);
        JournalPosition third = journal.append(Transactions.accounts(3)).join();
        assertThat(gate.after(third).get(1, TimeUnit.SECONDS)).as("no wait while excluded").isEqualTo(third);

        r = PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", r.port(), SECRET,
            Optional.empty(), FAST), Set.of("replica"));
        JournalPosition end = journal.append(Transactions.accounts(4)).join();
        awaitTrue(() -> s.acked().map(p -> p.compareTo(end) > 0).orElse(false));
        Journal.acknowledge(copy, "replica", s.acked().orElseThrow());
        awaitTrue(() -> gate.excludedNames().isEmpty());
        assertThat(s.status().lastError()).isEmpty();
      } finally {
        r.close();
      }
    }
  }

  @Test
  void applyLevelCountsTheReplicasOfTheNodeNotTheNodesItServesItsCopyTo() throws Exception {
    // A cascading node serves its copy to c, which holds whole segments (its position: a segment's start).
    Journal.acknowledge(copy, "http.c", JournalPosition.startOf(1));
    Journal.acknowledge(copy, "replica", JournalPosition.startOf(1));
    withFirstReceived(FAST, Set.of("replica"), (s, gate, released) -> {
      Journal.acknowledge(copy, "replica", s.acked().orElseThrow());
      assertThat(released.get(5, TimeUnit.SECONDS)).as("released once the node's replica applied it").isNotNull();
      assertThat(gate.excludedNames()).isEmpty();
    });
  }

  @Test
  void aReplicaOfTheNodeWithNoPositionYetHoldsTheApplyLevelBack() throws Exception {
    Journal.acknowledge(copy, "replica", JournalPosition.startOf(1));
    withFirstReceived(FAST, Set.of("replica", "other"), (s, gate, released) -> {
      Journal.acknowledge(copy, "replica", s.acked().orElseThrow());
      Thread.sleep(500);
      assertThat(released).as("replica 'other' has not applied it").isNotDone();
      Journal.acknowledge(copy, "other", s.acked().orElseThrow());
      assertThat(released.get(5, TimeUnit.SECONDS)).isNotNull();
    });
  }

  @Test
  void whatTheReplicasApplyIsReportedAtOnceNotWithTheNextHeartbeat() throws Exception {
    // The next heartbeat 10 s away: a release within 5 s came with the report, with room for a loaded machine.
    LinkTiming slow = new LinkTiming(Duration.ofSeconds(10), Duration.ofSeconds(25), Duration.ofSeconds(10), 1 << 20);
    withFirstReceived(slow, Set.of("replica"), (s, gate, released) -> { // just after the ACK of the data
      Journal.acknowledge(copy, "replica", s.acked().orElseThrow());
      long start = System.nanoTime();
      released.get(20, TimeUnit.SECONDS);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("ms until released, the next heartbeat being 10 s away").isLessThan(5000);
    });
  }

  @Test
  void aCommitReportedByTheReplicaReleasesTheTransactionWithoutWaitingForItsConsumerFile() throws Exception {
    // Heartbeats 5 s apart and no consumer file written at all: only the report can release it.
    LinkTiming slow = new LinkTiming(Duration.ofSeconds(5), Duration.ofSeconds(12), Duration.ofSeconds(5), 1 << 20);
    withFirstReceived(slow, Set.of("replica", "other"), (s, gate, released) -> {
      assertThat(receiver.awaitsApplied()).as("a link at level apply waits for the replicas").isTrue();
      receiver.applied("replica", s.acked().orElseThrow());
      receiver.applied("stranger", s.acked().orElseThrow()); // not a replica of this node: ignored
      Thread.sleep(500);
      assertThat(released).as("replica 'other' has reported nothing").isNotDone();
      long start = System.nanoTime();
      receiver.applied("other", s.acked().orElseThrow());
      assertThat(released.get(20, TimeUnit.SECONDS)).isNotNull();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("ms until released, the next heartbeat being 5 s away").isLessThan(2500);
      assertThat(Journal.consumers(copy)).as("no position was written for them").doesNotContainKeys("replica", "other");
    });
  }

  @Test
  void aLinkAtLevelReceiveDoesNotAskTheReplicasToReportEachCommit() throws Exception {
    withFirstReceived(FAST, SyncLevel.RECEIVE, Set.of("replica"), (s, gate, released) -> {
      assertThat(released.get(10, TimeUnit.SECONDS)).as("released on receipt").isNotNull();
      assertThat(receiver.awaitsApplied()).isFalse();
    });
  }

  /** What a test does with a transaction replica node {@code b} holds in its copy but has not applied. */
  @FunctionalInterface
  private interface ReceivedCheck {
    void check(PushSupplier s, SyncGate gate, CompletableFuture<JournalPosition> released) throws Exception;
  }

  /**
   * Pushes one transaction to replica node {@code b} (level {@code apply} unless told, 30 s timeout) whose
   * replicas are {@code replicas}; once its copy acknowledged it, gives the gate's future to {@code then}.
   */
  private void withFirstReceived(LinkTiming timing, Set<String> replicas, ReceivedCheck then) throws Exception {
    withFirstReceived(timing, SyncLevel.APPLY, replicas, then);
  }

  private void withFirstReceived(LinkTiming timing, SyncLevel level, Set<String> replicas, ReceivedCheck then)
      throws Exception {
    try (Journal journal = Journal.open(JournalConfig.defaults(primary))) {
      PushReceiver r = PushReceiver.start(JournalConfig.defaults(copy), new JournalFrom.Listen("127.0.0.1", 0, SECRET,
          Optional.empty(), timing), replicas);
      receiver = r;
      PushTarget target = new PushTarget("b", "127.0.0.1", r.port(), SECRET, Optional.empty(), timing,
          level, Duration.ofSeconds(30));
      try (PushSupplier s = PushSupplier.start(journal, target); SyncGate gate = SyncGate.start(List.of(s))) {
        JournalPosition first = journal.append(Transactions.accounts(1)).join();
        CompletableFuture<JournalPosition> released = gate.after(first);
        awaitTrue(() -> s.acked().map(p -> p.compareTo(first) > 0).orElse(false));
        then.check(s, gate, released);
      } finally {
        r.close();
      }
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
