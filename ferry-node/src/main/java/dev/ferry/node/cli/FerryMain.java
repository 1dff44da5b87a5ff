package dev.ferry.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code ferry} command. Exit codes: 0 success, 1 failure, 2 usage error (unknown command or
 * option, bad argument).
 */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = FerryMain.Version.class,
    description = "Transaction-aware logical replication for SQL databases.",
    subcommands = {DemoCommand.class, RunCommand.class, CaptureCommand.class, ApplyCommand.class, SetupCommand.class,
        TeardownCommand.class, StatusCommand.class, JournalCommand.class, ReplicaCommand.class, ExportCommand.class, LoadCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error.", "Run 'ferry COMMAND --help' for a command's options."})
public final class FerryMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code; never exits the JVM. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new FerryMain());
    cli.setParameterExceptionHandler(FerryMain::usageError);
    cli.setExecutionExceptionHandler(FerryMain::failure);
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    var err = cmd.getErr();
    err.println("ferry: " + describe(e));
    if (!cmd.getSubcommands().isEmpty()) {
      err.println("Commands: " + String.join(", ", cmd.getSubcommands().keySet()));
    }
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    return 2;
  }

  // Expected failures (bad input, unreadable files) get one line naming the place, not a stack trace.
  private static int failure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String name = cmd.getCommandSpec().qualifiedName();
    if (e instanceof UsageException) {
      cmd.getErr().println(name + ": " + e.getMessage());
      cmd.getErr().flush();
      return 2;
    }
    if (e instanceof CliException || e instanceof java.io.IOException) {
      cmd.getErr().println(name + ": " + e.getMessage());
    } else {
      cmd.getErr().println(name + ": internal error, please report it: " + e);
      e.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return 1;
  }

  private static String describe(CommandLine.ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().getFirst();
      String what = first.startsWith("-") ? "option" : "command";
      return "unknown " + what + " '" + first + "' for '" + e.getCommandLine().getCommandSpec().qualifiedName() + "'";
    }
    return e.getMessage();
  }

  /** Reads the version Maven wrote into {@code ferry-version.properties}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ferry " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }

    static String version() {
      try (InputStream in = FerryMain.class.getResourceAsStream("/ferry-version.properties")) {
        if (in == null) {
          return "unknown";
        }
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
