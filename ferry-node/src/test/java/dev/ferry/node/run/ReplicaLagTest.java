package dev.ferry.node.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicaLagTest {
  private static final Instant HEAD_TIME = Instant.parse("2026-12-05T10:00:10Z");

  private static NodeStatus.Replica applied(List<Gtid> byDomain, Optional<Instant> commitTime) {
    return new NodeStatus.Replica("r1", ReplicaState.STREAMING, byDomain.stream().findFirst(), NodeStatus.Lag.NONE, 0,
        Optional.empty(), Optional.empty(), commitTime, Optional.empty(), byDomain);
  }

  @Test
  void eachDomainIsMeasuredAgainstWhatTheReplicaAppliedInThatDomainNotAgainstAnotherDomainsSequence() {
    // Domain 0 is far ahead in sequence numbers; domain 7 (another source) is young.
    List<Gtid> heads = List.of(new Gtid(0, 1, 90_000), new Gtid(7, 3, 40));
    NodeStatus.Replica r = applied(List.of(new Gtid(0, 1, 89_990), new Gtid(7, 3, 12)),
        Optional.of(Instant.parse("2026-12-05T10:00:08.5Z")));
    NodeStatus.Lag lag = ReplicaLag.of(heads, Optional.of(HEAD_TIME), r, transactions -> 4096);
    assertThat(lag.domains()).containsExactly(new NodeStatus.DomainLag(0, 10), new NodeStatus.DomainLag(7, 28));
    assertThat(lag.transactions()).isEqualTo(38);
    assertThat(lag.seconds()).isEqualTo(1.5);
    assertThat(lag.bytes()).isEqualTo(4096);
  }

  @Test
  void aDomainTheReplicaHasAppliedNothingOfCountsFromItsStartAndACaughtUpReplicaHasNoLag() {
    List<Gtid> heads = List.of(new Gtid(0, 1, 500), new Gtid(2, 9, 30));
    NodeStatus.Lag lag = ReplicaLag.of(heads, Optional.of(HEAD_TIME), applied(List.of(new Gtid(0, 1, 500)),
        Optional.empty()), transactions -> 0);
    assertThat(lag.domains()).containsExactly(new NodeStatus.DomainLag(0, 0), new NodeStatus.DomainLag(2, 30));
    assertThat(lag.transactions()).isEqualTo(30);
    assertThat(lag.seconds()).as("no commit time applied yet").isZero();

    NodeStatus.Lag none = ReplicaLag.of(heads, Optional.of(HEAD_TIME),
        applied(List.of(new Gtid(0, 1, 500), new Gtid(2, 9, 30)), Optional.of(HEAD_TIME)), transactions -> 0);
    assertThat(none.transactions()).isZero();
    assertThat(none.seconds()).isZero();
  }

  @Test
  void aJournalThatCannotBeReadGivesMinusOneBytesNotAFailedStatus() {
    NodeStatus.Lag lag = ReplicaLag.of(List.of(new Gtid(0, 1, 5)), Optional.empty(), applied(List.of(), Optional.empty()),
        transactions -> {
          throw new IOException("segment 3 unreadable");
        });
    assertThat(lag.bytes()).isEqualTo(-1);
    assertThat(lag.transactions()).isEqualTo(5);
  }

  @Test
  void newestByDomainKeepsTheHighestSequenceOfEachDomainInDomainOrder() {
    List<Gtid> newest = Gtids.newestByDomain(List.of(new Gtid(3, 1, 4), new Gtid(0, 1, 9), new Gtid(3, 2, 7)));
    assertThat(newest).containsExactly(new Gtid(0, 1, 9), new Gtid(3, 2, 7));
    assertThat(Gtids.with(newest, new Gtid(0, 1, 8))).isSameAs(newest);
    assertThat(Gtids.with(newest, new Gtid(0, 1, 10))).containsExactly(new Gtid(0, 1, 10), new Gtid(3, 2, 7));
    assertThat(Gtids.with(newest, new Gtid(1, 1, 1))).containsExactly(new Gtid(0, 1, 9), new Gtid(1, 1, 1),
        new Gtid(3, 2, 7));
  }
}
