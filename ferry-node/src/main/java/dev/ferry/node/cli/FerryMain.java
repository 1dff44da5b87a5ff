package dev.ferry.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
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
        TeardownCommand.class, StatusCommand.class, JournalCommand.class, ReplicaCommand.class, TagCommand.class,
        TableCommand.class, WaitCommand.class, SuspendCommands.Suspend.class, SuspendCommands.Resume.class,
        PromoteCommand.class, FailoverCommand.class, RejoinCommand.class, ExportCommand.class, LoadCommand.class,
        ConflictsCommand.class, SkipCommand.class, RepointCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error.", "Run 'ferry COMMAND --help' for a command's options."})
public final class FerryMain implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code; never exits the JVM. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new FerryMain());
    cli.setParameterExceptionHandler(FerryMain::usageError);
    boolean verbose = List.of(args).contains("-v") || List.of(args).contains("--verbose");
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, cmd, verbose));
    reflow(cli);
    // picocli honours a --help anywhere, even after a command it does not know: name that command.
    if (args.length > 0 && !args[0].startsWith("-") && !cli.getSubcommands().containsKey(args[0])) {
      return usageError(new CommandLine.UnmatchedArgumentException(cli, List.of(args[0])), args);
    }
    int exit = cli.execute(args);
    CdsTraining.runIfAsked();
    return exit;
  }

  /** {@code ferry} with no command: the usage, on standard error, and a usage error's exit code. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return 2;
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

  /**
   * Failures the user can fix (bad input, a database that refuses, a directory) get one line saying
   * what is wrong and what to do, and a stack trace only with {@code --verbose}; a bug in Ferry says
   * so, with its stack trace for the report.
   */
  private static int failure(Exception e, CommandLine cmd, boolean verbose) {
    String name = cmd.getCommandSpec().qualifiedName();
    var err = cmd.getErr();
    int exit = 1;
    if (e instanceof UsageException) {
      err.println(name + ": " + e.getMessage());
      exit = 2;
    } else if (ErrorAdvice.forUser(e).isPresent()) {
      err.println(name + ": " + ErrorAdvice.forUser(e).get());
      if (verbose) {
        e.printStackTrace(err);
      }
    } else {
      err.println(name + ": internal error, please report it: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return exit;
  }

  /**
   * Joins the description lines the sources break for their own width into sentences, so that
   * picocli wraps them once, at its width, and no line of {@code --help} ends mid-sentence.
   */
  private static void reflow(CommandLine cli) {
    String[] lines = cli.getCommandSpec().usageMessage().description();
    List<String> sentences = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      current.append(current.isEmpty() ? "" : " ").append(line.strip());
      if (line.strip().endsWith(".") || line.strip().endsWith(":") || sentences.isEmpty()) {
        sentences.add(current.toString());
        current.setLength(0);
      }
    }
    if (!current.isEmpty()) {
      sentences.add(current.toString());
    }
    cli.getCommandSpec().usageMessage().description(sentences.toArray(String[]::new));
    cli.getSubcommands().values().forEach(FerryMain::reflow);
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
