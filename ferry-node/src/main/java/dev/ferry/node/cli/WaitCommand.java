package dev.ferry.node.cli;

import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.GtidSet;
import dev.ferry.node.config.Durations;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.run.NodeStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry wait --replica NAME --gtid G}: returns once the replica has committed G, so an
 * application can read its own write from the replica (docs/failover.md). Reads the replica's own
 * progress row on its target (what the application will read), or with {@code --url} a running
 * node's status; holes of a parallel apply are respected (a GTID in a hole is not applied).
 */
@Command(name = "wait", mixinStandardHelpOptions = true,
    description = {"Wait until a replica has applied a GTID.",
        "Exit 0 as soon as replica NAME has committed GTID (read-your-writes: commit on the primary, take the",
        "GTID, wait, then read the replica). Exit 1 with what it has applied when TIMEOUT passes first.",
        "Reads the replica's progress row on its database, or with --url a running node's status."})
final class WaitCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(200);

  @Mixin ConfigOptions options;

  @Option(names = "--replica", required = true, paramLabel = "NAME", description = "The replica.")
  String replica;

  @Option(names = "--gtid", required = true, paramLabel = "GTID", description = "The GTID (domain-server-seq).")
  String gtidText;

  @Option(names = "--timeout", paramLabel = "TIMEOUT", defaultValue = "30s",
      description = "How long to wait (200ms, 30s, 5m; default 30s).")
  String timeoutText;

  @Option(names = "--url", paramLabel = "URL",
      description = "Read the node at URL (http://host:port, its http.listen) through its admin API.")
  String url;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Gtid gtid = parse("--gtid", () -> Gtid.parse(gtidText.strip()));
    Duration timeout = parse("--timeout", () -> Durations.parse(timeoutText));
    Progress progress = progress();
    long deadline = System.nanoTime() + timeout.toNanos();
    NodeStatus.Replica seen = progress.read();
    while (!seen.appliedSet().contains(gtid)) {
      if (System.nanoTime() - deadline >= 0) {
        throw new CliException("replica " + replica + " has not applied " + gtid + " within " + Durations.format(timeout)
            + ": it has applied " + applied(seen.appliedSet()) + " (state " + seen.state() + ")"
            + seen.lastError().map(e -> ": " + e).orElse(""));
      }
      Thread.sleep(POLL.toMillis());
      seen = progress.read();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("replica %s has applied %s%n", replica, gtid);
    out.flush();
    return 0;
  }

  /** Reads the replica's progress once. */
  @FunctionalInterface
  private interface Progress {
    NodeStatus.Replica read() throws IOException;
  }

  private Progress progress() throws IOException {
    if (url != null) {
      return () -> RemoteNode.at(url).status().replicas()
          .stream().filter(r -> r.name().equals(replica)).findFirst()
          .orElseThrow(() -> new CliException("the node at " + url + " applies no replica named " + replica));
    }
    FerryConfig config = options.load();
    options.startQuietLogging();
    ReplicaSettings settings = config.replicas().stream().filter(r -> r.name().equals(replica)).findFirst()
        .orElseThrow(() -> new UsageException("--replica " + replica + ": no such replica in " + config.file()
            + " (it has " + NodeSpecs.replicaNames(config) + ")"));
    String journalId = JournalInspector.journalId(ReplicaCommand.journalOf(config)).toString();
    return () -> ReplicaProgress.read(config, settings, journalId);
  }

  private static String applied(GtidSet set) {
    return set.domains().isEmpty() ? "nothing" : set.toString();
  }

  private static <T> T parse(String option, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }
}
