package dev.ferry.node.run;

import dev.ferry.journal.JournalConfig;
import dev.ferry.transport.archive.ArchiveConfig;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.http.HttpServeConfig;
import dev.ferry.transport.push.PushTarget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a node runs: one source, its journal, and zero or more replicas. Immutable.
 *
 * @param source the captured source
 * @param journal the journal's settings (directory, segment size and age, whether sealed segments
 *     are kept until shipped)
 * @param archive where sealed segments are archived ({@link ArchiveConfig#defaults()}: nowhere)
 * @param replicas the replicas the journal is applied to
 * @param from where the journal copy comes from, on a replica node (which then does not capture:
 *     {@code source} only seeds new replicas)
 * @param serve the HTTP server of the journal's sealed segments, or of the copy's on a replica node (cascading)
 * @param push the replica nodes this node pushes its journal to over TCP, on a node that writes its journal
 * @param servedByNodeServer whether the node's own HTTP server ({@code http:}, started beside the
 *     node) serves those segments on the same address, so the node starts no server of its own
 */
public record NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas,
    Optional<JournalFrom> from, Optional<HttpServeConfig> serve, List<PushTarget> push, boolean servedByNodeServer) {
  public NodeSpec {
    replicas = List.copyOf(replicas);
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(serve, "serve");
    push = List.copyOf(push);
    if (from.isPresent() && !push.isEmpty()) {
      throw new IllegalArgumentException("a journal copy is not pushed again (cascading over push is not built)");
    }
    if (from.isPresent() && archive.enabled()) {
      throw new IllegalArgumentException("a journal copy is not archived again");
    }
    if (archive.enabled() && !journal.keepUntilShipped()) {
      throw new IllegalArgumentException("an archived journal must keep sealed segments until they are shipped");
    }
  }

  /** A node that pushes to no replica node and serves its segments, if at all, on a server of their own. */
  public NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas,
      Optional<JournalFrom> from, Optional<HttpServeConfig> serve) {
    this(source, journal, archive, replicas, from, serve, List.of(), false);
  }

  /** A node that serves its segments, if at all, on a server of their own. */
  public NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas,
      Optional<JournalFrom> from, Optional<HttpServeConfig> serve, List<PushTarget> push) {
    this(source, journal, archive, replicas, from, serve, push, false);
  }

  /** A node that pushes to no replica node. */
  public NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas,
      Optional<JournalFrom> from, Optional<HttpServeConfig> serve, boolean servedByNodeServer) {
    this(source, journal, archive, replicas, from, serve, List.of(), servedByNodeServer);
  }

  /** A node without an HTTP server. */
  public NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas,
      Optional<JournalFrom> from) {
    this(source, journal, archive, replicas, from, Optional.empty());
  }

  /** A node that captures its source into its own journal. */
  public NodeSpec(SourceSpec source, JournalConfig journal, ArchiveConfig archive, List<ReplicaSpec> replicas) {
    this(source, journal, archive, replicas, Optional.empty());
  }

  /** A node whose sealed segments are not archived. */
  public NodeSpec(SourceSpec source, JournalConfig journal, List<ReplicaSpec> replicas) {
    this(source, journal, ArchiveConfig.defaults(), replicas);
  }

  public ReplicaSpec replica(String name) {
    return replicas.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no replica named '" + name + "'; the configuration has: "
            + replicas.stream().map(ReplicaSpec::name).toList()));
  }

  /**
   * Every consumer that holds this node's journal (or copy) from the start: the replicas, the
   * replica nodes listed in {@code serve.http.consumers} ({@code http.<node>}) and the push targets
   * ({@code push.<name>}).
   */
  public List<String> journalConsumers() {
    List<String> names = new java.util.ArrayList<>(replicas.stream().map(ReplicaSpec::name).toList());
    serve.ifPresent(http -> http.consumers().forEach(c -> names.add(HttpServeConfig.consumerName(c))));
    push.forEach(p -> names.add(p.consumerName()));
    return List.copyOf(names);
  }
}
