package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.ReplicaControlFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  /** Sets the suspension of replica {@code name} of {@code config}; refuses a name not configured. */
  static void set(FerryConfig config, String name, boolean suspend) throws IOException {
    if (!NodeSpecs.replicaNames(config).contains(name)) {
      throw new UsageException("no replica named " + name + " in " + config.file() + " (it has "
          + NodeSpecs.replicaNames(config) + ")");
    }
    ReplicaControlFile.setSuspended(ReplicaCommand.journalOf(config), name, suspend);
  }

  /** {@code suspend} or {@code resume}: through the control file, or with {@code --url} through a running node. */
  abstract static class Toggle implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Parameters(paramLabel = "NAME", description = "The replica's name.") String name;
    @Option(names = "--url", paramLabel = "URL", description = "The admin API of the running node that applies the"
        + " replica (its http.listen, e.g. http://db2:8470); FERRY_TOKEN holds its http.token, if any.")
    String url;
    @Spec CommandSpec spec;

    abstract boolean suspend();

    /** The line that tells what was done. */
    abstract String done();

    @Override
    public final Integer call() throws IOException {
      if (url != null) {
        String path = "api/replicas/" + URLEncoder.encode(name.strip(), StandardCharsets.UTF_8) + "/"
            + (suspend() ? "suspend" : "resume");
        RemoteNode.at(url).post(path, "{}").expect();
      } else {
        FerryConfig config = options.load();
        options.startQuietLogging();
        set(config, name, suspend());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(done());
      out.flush();
      return 0;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true,
      description = {"Stop applying to a replica at the next transaction boundary, until 'ferry resume'.",
          "Everything applied stays committed; the journal keeps what the replica has not applied. Kept across",
          "restarts of the node. A running node picks it up within a second; with --url it is told at once."})
  static final class Suspend extends Toggle {
    @Override
    boolean suspend() {
      return true;
    }

    @Override
    String done() {
      return "replica " + name + " suspended: it applies nothing after the transaction in hand until 'ferry resume "
          + name + "' (kept across restarts)";
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Let a suspended replica apply again, from where it stopped.")
  static final class Resume extends Toggle {
    @Override
    boolean suspend() {
      return false;
    }

    @Override
    String done() {
      return "replica " + name + " resumed";
    }
  }
}
