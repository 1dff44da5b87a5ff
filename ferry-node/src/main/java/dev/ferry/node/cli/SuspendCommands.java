package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.ReplicaControlFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry suspend NAME} and {@code ferry resume NAME}: set a replica's suspension in its
 * control file beside the journal ({@link ReplicaControlFile}); a running node reads it within a
 * second, and every start keeps it until resumed (docs/failover.md).
 */
final class SuspendCommands {
  private SuspendCommands() {
  }

  /** What both share: the configuration, the replica's name, one line of outcome. */
  abstract static class Set implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Parameters(paramLabel = "NAME", description = "The replica's name.") String name;
    @Spec CommandSpec spec;

    @Override
    public final Integer call() throws IOException {
      FerryConfig config = options.load();
      options.startQuietLogging();
      if (!NodeSpecs.replicaNames(config).contains(name)) {
        throw new UsageException("no replica named " + name + " in " + config.file() + " (it has "
            + NodeSpecs.replicaNames(config) + ")");
      }
      Path dir = ReplicaCommand.journalOf(config);
      ReplicaControlFile.setSuspended(dir, name, suspend());
      spec.commandLine().getOut().println(outcome());
      spec.commandLine().getOut().flush();
      return 0;
    }

    abstract boolean suspend();

    abstract String outcome();
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = {"Stop applying to a replica at the next transaction boundary, until 'ferry resume'.",
          "Everything applied stays committed; the journal keeps what the replica has not applied. Kept across",
          "restarts of the node. A running node picks it up within a second."})
  static final class Suspend extends Set {
    @Override
    boolean suspend() {
      return true;
    }

    @Override
    String outcome() {
      return "replica " + name + " suspended: it applies nothing after the transaction in hand until 'ferry resume "
          + name + "' (kept across restarts)";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Let a suspended replica apply again, from where it stopped.")
  static final class Resume extends Set {
    @Override
    boolean suspend() {
      return false;
    }

    @Override
    String outcome() {
      return "replica " + name + " resumed";
    }
  }
}
