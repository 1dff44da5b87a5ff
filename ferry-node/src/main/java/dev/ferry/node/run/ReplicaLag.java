package dev.ferry.node.run;

import dev.ferry.journal.model.Gtid;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A replica's lag behind the journal's head, per GTID domain — the one computation behind
 * {@code ferry status}, whether a running process or the journal on disk is asked. Transactions
 * by GTID sequence in each domain (a replica that applied nothing of a domain is behind by the
 * head's sequence number), seconds by source commit times, bytes by journal file sizes. Stateless.
 */
public final class ReplicaLag {
  /** The journal bytes a replica has not applied, given how many transactions it is behind. */
  @FunctionalInterface
  public interface BytesBehind {
    long of(long transactions) throws IOException;
  }

  private ReplicaLag() {}

  /**
   * @param heads the newest durable transaction of each domain of the journal
   * @param headTime the source commit time of the journal's newest transaction, if known
   * @param r the replica, with what it applied per domain
   * @param bytes the bytes behind; {@code -1} in the result when the journal cannot be read
   */
  public static NodeStatus.Lag of(List<Gtid> heads, Optional<Instant> headTime, NodeStatus.Replica r,
      BytesBehind bytes) {
    List<NodeStatus.DomainLag> domains = new ArrayList<>();
    long transactions = 0;
    for (Gtid head : heads) {
      long applied = r.appliedByDomain().stream().filter(g -> g.domain() == head.domain()).mapToLong(Gtid::seq)
          .findFirst().orElse(0);
      long behind = Math.max(0, head.seq() - applied);
      domains.add(new NodeStatus.DomainLag(head.domain(), behind));
      transactions += behind;
    }
    double seconds = 0;
    if (transactions > 0 && headTime.isPresent() && r.appliedCommitTime().isPresent()) {
      seconds = Math.max(0, Duration.between(r.appliedCommitTime().get(), headTime.get()).toNanos() / 1e9);
    }
    long behindBytes;
    try {
      behindBytes = bytes.of(transactions);
    } catch (IOException e) {
      behindBytes = -1;
    }
    return new NodeStatus.Lag(transactions, behindBytes, seconds, domains);
  }
}
