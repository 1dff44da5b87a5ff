package dev.ferry.node.run;

import dev.ferry.apply.ConflictType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running node counted since it started, for its metrics ({@code docs/metrics.md}).
 * Immutable.
 *
 * @param source capture's counts, if this process captures
 * @param journal the journal's counts, if this process writes it
 * @param replicas each replica this process applies
 */
public record NodeCounters(Optional<Source> source, Optional<Journal> journal, List<Replica> replicas) {
  public NodeCounters {
    replicas = List.copyOf(replicas);
  }

  /**
   * @param name the source's name
   * @param transactions transactions made durable in the journal
   * @param changes their row changes (and DDL, sequence and message changes)
   * @param lagSeconds for the newest captured transaction, from its commit on the source to its fsync
   *     in the journal; 0 before the first
   */
  public record Source(String name, long transactions, long changes, double lagSeconds) {}

  /**
   * @param directory the journal directory
   * @param records records written (a transaction, or a chunk or the commit of a large one)
   * @param bytes their bytes
   * @param groupCommits group commits, one fsync each
   */
  public record Journal(String directory, long records, long bytes, long groupCommits) {}

  /**
   * @param name the replica's name
   * @param transactions transactions applied (the same count as status's {@code applied})
   * @param changes their changes
   * @param retries transient errors retried by the applier
   * @param reconnects outages of the target ridden out
   * @param conflicts conflicts detected, by type (every type, 0 when none)
   */
  public record Replica(String name, long transactions, long changes, long retries, long reconnects,
      Map<ConflictType, Long> conflicts) {
    public Replica {
      conflicts = Map.copyOf(conflicts);
    }
  }
}
