package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.ReplicaControlFile;
import java.io.IOException;
import picocli.CommandLine.Command;

/**
 * {@code ferry suspend NAME} and {@code ferry resume NAME}: set a replica's suspension in its
 * control file beside the journal ({@link ReplicaControlFile}); a running node reads it within a
 * second, and every start keeps it until resumed (docs/failover.md).
 */
final class SuspendCommands {
  private SuspendCommands() {
  }

  /** Sets the suspension of replica {@code name} of {@code config}; refuses a name not configured. */
  static void set(FerryConfig config, String name, boolean suspend) throws IOException {
    if (!NodeSpecs.replicaNames(config).contains(name)) {
      throw new UsageException("no replica named " + name + " in " + config.file() + " (it has "
          + NodeSpecs.replicaNames(config) + ")");
    }
    ReplicaControlFile.setSuspended(ReplicaCommand.journalOf(config), name, suspend);
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = {"Stop applying to a replica at the next transaction boundary, until 'ferry resume'.",
          "Everything applied stays committed; the journal keeps what the replica has not applied. Kept across",
          "restarts of the node. A running node picks it up within a second."})
  static final class Suspend extends ReplicaCommand.OneReplica {
    @Override
    String act(FerryConfig config) throws IOException {
      set(config, name, true);
      return "replica " + name + " suspended: it applies nothing after the transaction in hand until 'ferry resume "
          + name + "' (kept across restarts)";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Let a suspended replica apply again, from where it stopped.")
  static final class Resume extends ReplicaCommand.OneReplica {
    @Override
    String act(FerryConfig config) throws IOException {
      set(config, name, false);
      return "replica " + name + " resumed";
    }
  }
}
