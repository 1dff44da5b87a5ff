package dev.ferry.node.cli;

import dev.ferry.journal.Journal;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaControlFile;
import dev.ferry.node.run.ReplicaLock;
import dev.ferry.node.sync.InitialSync;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry replica drop|reinit NAME}: what only a DBA decides about one replica. */
@Command(name = "replica", mixinStandardHelpOptions = true,
    description = "Drop a replica from the journal, or make one start over with a fresh initial sync.",
    subcommands = {ReplicaCommand.Drop.class, ReplicaCommand.Reinit.class})
final class ReplicaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static Path journalOf(FerryConfig config) {
    Path dir = config.journal().directory().toAbsolutePath();
    if (!Files.exists(SegmentFiles.idFile(dir))) {
      throw new CliException("journal " + dir + " does not exist (journal.dir in " + config.file() + ")");
    }
    return dir;
  }

  /** What drop and reinit share: the configuration, the replica's name, quiet logging, one line of outcome. */
  abstract static class OneReplica implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Parameters(paramLabel = "NAME", description = "The replica's name.") String name;
    @Spec CommandSpec spec;

    @Override
    public final Integer call() throws IOException {
      FerryConfig config = options.load();
      options.startQuietLogging();
      String outcome = act(config);
      PrintWriter out = spec.commandLine().getOut();
      out.println(outcome);
      out.flush();
      return 0;
    }

    /** Does the work on replica {@link #name}; returns the line that tells what was done. */
    abstract String act(FerryConfig config) throws IOException;
  }

  @Command(name = "drop", mixinStandardHelpOptions = true,
      description = {"Release the journal position a replica holds, so segments it has not applied can be purged.",
          "Only for a replica removed from the configuration for good: it then needs 'replica reinit' to come back."})
  static final class Drop extends OneReplica {
    @Override
    String act(FerryConfig config) throws IOException {
      if (NodeSpecs.replicaNames(config).contains(name)) {
        throw new CliException("replica " + name + " is still configured in " + config.file()
            + ": remove its block first (a running node would register it again)");
      }
      Path dir = journalOf(config);
      var held = Journal.consumers(dir);
      if (!Journal.removeConsumer(dir, name)) {
        throw new CliException("replica " + name + " holds no position in journal " + dir + " (it holds: "
            + held.keySet() + ")");
      }
      return "replica %s dropped: it no longer holds journal %s (it was at %s)".formatted(name, dir, held.get(name));
    }
  }

  @Command(name = "reinit", mixinStandardHelpOptions = true,
      description = {"Make a replica start over: its progress is reset, so the next 'run' or 'apply' seeds it",
          "again from a fresh snapshot of the source (its tables emptied and copied). Refused while the node runs",
          "(it holds the journal) or while a separate 'ferry apply' applies it. An until tag found in its old history",
          "is forgotten; a suspension is kept (and said)."})
  static final class Reinit extends OneReplica {
    @Override
    String act(FerryConfig config) throws IOException {
      NodeSpec node = NodeSpecs.from(config);
      if (!NodeSpecs.replicaNames(config).contains(name)) {
        throw new UsageException("replica " + name + ": no such replica in " + config.file() + " (it has "
            + NodeSpecs.replicaNames(config) + ")");
      }
      Path dir = journalOf(config);
      Optional<Closeable> hold = Journal.hold(dir);
      if (hold.isEmpty()) {
        throw new CliException("journal " + dir + " is held by a running process of this node ('ferry run' or"
            + " 'ferry capture'; it holds " + SegmentFiles.lockFile(dir) + "): stop it first, then reinit " + name
            + " (a running node keeps what the replica reported applied)");
      }
      try (Closeable held = hold.get()) {
        Optional<ReplicaLock> applying = ReplicaLock.tryHold(dir, name);
        if (applying.isEmpty()) {
          throw new CliException(ReplicaLock.heldBy(dir, name) + ": stop it first, then reinit " + name);
        }
        try (ReplicaLock replica = applying.get()) {
          InitialSync.forget(node.replica(name), dir);
        }
        return "replica %s reset: the next 'ferry run' or 'ferry apply' seeds it again from a snapshot%s"
            .formatted(name, controls(dir));
      }
    }

    /**
     * Clears what the control file remembers of the replica's old history (the GTID its until tag
     * was found at) and says so; keeps a suspension, an operator's decision, and says that too.
     */
    private String controls(Path dir) throws IOException {
      ReplicaControlFile.Content content = ReplicaControlFile.read(dir, name);
      StringBuilder said = new StringBuilder();
      if (content.tag().isPresent()) {
        ReplicaControlFile.Found found = content.tag().get();
        ReplicaControlFile.write(dir, name, new ReplicaControlFile.Content(content.suspended(), Optional.empty()));
        said.append("%nforgot until tag:%s found at %s in its old history: it stops at the next such tag it meets"
            .formatted(found.tag().name(), found.gtid()));
      }
      if (content.suspended()) {
        said.append(("%nwarning: replica %s is still suspended: the next start seeds it, then it applies nothing"
            + " until 'ferry resume %s'").formatted(name, name));
      }
      return said.toString();
    }
  }
}
