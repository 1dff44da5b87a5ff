package dev.ferry.node.run;

import dev.ferry.journal.JournalConfig;
import java.util.List;

/**
 * Everything a node runs: one source, its journal, and zero or more replicas. Immutable.
 *
 * @param source the captured source
 * @param journal the journal's settings (directory, segment size and age, archive)
 * @param replicas the replicas the journal is applied to
 */
public record NodeSpec(SourceSpec source, JournalConfig journal, List<ReplicaSpec> replicas) {
  public NodeSpec {
    replicas = List.copyOf(replicas);
  }

  public ReplicaSpec replica(String name) {
    return replicas.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no replica named '" + name + "'; the configuration has: "
            + replicas.stream().map(ReplicaSpec::name).toList()));
  }
}
