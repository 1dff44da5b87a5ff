package dev.ferry.bench.mariadb;

import dev.ferry.apply.ApplyConfig;
import dev.ferry.capture.binlog.MariaDbSourceConfig;
import dev.ferry.journal.JournalConfig;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * Ferry replicating the primary into a MariaDB target: a {@link FerryNode} in this JVM (binlog
 * capture → journal → apply with {@code workers} parallel workers, commit order kept), started and
 * stopped as a whole; the first start seeds the target. One thread.
 */
final class FerryReplica implements AutoCloseable {
  private final NodeSpec spec;
  private Optional<FerryNode> node = Optional.empty();
  private long retriesBefore;

  FerryReplica(String primaryUrl, String targetUrl, Path journal, int workers) {
    ApplyConfig apply = ApplyConfig.defaults("ferry", "primary")
        .withParallel(new ApplyConfig.Parallel(workers == 0 ? OptionalInt.empty() : OptionalInt.of(workers),
            ApplyConfig.CommitOrder.KEPT));
    this.spec = new NodeSpec(new SourceSpec.MariaDb(MariaDbSourceConfig.of("primary", primaryUrl)),
        JournalConfig.defaults(journal), List.of(new ReplicaSpec(apply, targetUrl, new Properties())));
  }

  void start() throws IOException, InterruptedException {
    FerryNode started = FerryNode.start(spec, FerryNode.Role.RUN, List.of());
    node = Optional.of(started);
    if (!started.awaitCaptureStreaming(Duration.ofSeconds(120))) {
      throw new IllegalStateException("Ferry's capture did not start: "
          + started.captureFailure().map(Throwable::toString).orElse("timed out"));
    }
  }

  /** Transactions captured since this start (none while stopped). */
  long captured() {
    return node.flatMap(n -> n.status().source()).map(src -> src.captured()).orElse(0L);
  }

  /** Whether a replica or the capture stopped on an error (what it was, then). */
  Optional<String> failure() {
    return node.flatMap(n -> n.captureFailure().map(Throwable::toString)
        .or(() -> n.failedReplicas().isEmpty() ? Optional.empty()
            : Optional.of("replica failed: " + n.failedReplicas())));
  }

  /** Units the apply retried after a transient error (an InnoDB deadlock), over every start. */
  long retries() {
    return retriesBefore + node.map(FerryReplica::retriesOf).orElse(0L);
  }

  private static long retriesOf(FerryNode n) {
    return n.counters().replicas().stream().mapToLong(r -> r.retries()).sum();
  }

  void stop() throws Exception {
    if (node.isPresent()) {
      retriesBefore += retriesOf(node.get());
      node.get().close();
      node = Optional.empty();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
