package dev.ferry.node.cli;

import dev.ferry.node.config.ConfigException;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.node.topology.Failover;
import dev.ferry.node.topology.FailoverChoice;
import dev.ferry.node.topology.Promotion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry failover}: choose which replica node of a journal to promote after its primary died,
 * promote it with {@code ferry promote}'s code, and print how each other node re-points to it
 * (docs/failover.md, "At 3 a.m.").
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
    description = {"Choose the replica node to promote after the primary died: give each replica node's",
        "configuration of one journal with -c. Reads each node's journal copy (GTIDs, content checksums) and what",
        "its replicas applied, picks the node whose history contains every other's, prints the plan (what each",
        "other node lacks, whether it can follow), and refuses (exit 1) naming the missing GTIDs and where they are",
        "when none does, unless --accept-loss. Without --dry-run it then promotes that node as 'ferry promote' does",
        "(stop its 'ferry run' first; --fetch-from first takes what a source outside the -c nodes holds beyond",
        "its copy) and prints the journal.from each other node re-points to. Changes no",
        "configuration file. See docs/failover.md."})
final class FailoverCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "A replica node's configuration (repeat for each replica node of the journal).")
  List<Path> files;

  @Option(names = {"-v", "--verbose"}, description = "Log more (debug level), with stack traces.")
  boolean verbose;

  @Option(names = "--dry-run", description = "Print the plan and stop; change nothing.")
  boolean dryRun;

  @Mixin PromoteOptions promote;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, FerryConfig> configs = load();
    Promotion.Options how = promote.options("failover");
    ConfigOptions logging = new ConfigOptions();
    logging.verbose = verbose;
    logging.startQuietLogging();
    List<Failover.Inspected> nodes = new ArrayList<>();
    try {
      for (Map.Entry<String, FerryConfig> c : configs.entrySet()) {
        nodes.add(Failover.inspect(c.getKey(), NodeSpecs.from(c.getValue())));
      }
      Failover.checkOneJournal(nodes);
    } catch (Promotion.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    FailoverChoice.Plan plan = FailoverChoice.choose(nodes.stream().map(Failover.Inspected::node).toList());
    PrintWriter out = spec.commandLine().getOut();
    FailoverText.plan(out, nodes, plan);
    out.flush();
    String chosen = plan.chosen().name();
    if (!how.acceptLoss() && (!plan.containsAll() || !plan.holes().isEmpty())) {
      throw new CliException(FailoverText.refusal(plan) + "; nothing was changed. Find the missing transactions, or"
          + " run 'ferry failover --accept-loss' to promote " + chosen + " without them (they are then recorded as"
          + " lost)");
    }
    if (dryRun) {
      out.println("dry run: nothing was changed");
      out.flush();
      return 0;
    }
    FerryConfig config = configs.get(chosen);
    logging.startLogging(config);
    FetchSources.fetch(config, NodeSpecs.from(config), promote.fetchFrom, out);
    PromotionRecord done;
    try {
      done = Promotion.promote(NodeSpecs.from(config), promote.replicas(), how);
    } catch (Promotion.RefusedException e) {
      throw new CliException("promoting " + chosen + ": " + e.getMessage());
    }
    PromoteCommand.report(out, done, config);
    for (FailoverChoice.Verdict v : plan.others()) {
      FailoverText.repoint(out, v, configs.get(v.node()), chosen, config);
    }
    out.flush();
    return 0;
  }

  /** The configurations by name, in the order given; a problem is a usage error (exit 2). */
  private Map<String, FerryConfig> load() {
    if (files == null || files.isEmpty()) {
      throw new UsageException("give the configuration of each replica node of the journal with -c FILE");
    }
    Map<String, FerryConfig> configs = new LinkedHashMap<>();
    Map<Path, String> dirs = new LinkedHashMap<>();
    for (Path f : files) {
      String name = f.toString();
      if (configs.containsKey(name)) {
        throw new UsageException("-c " + name + " is given twice");
      }
      try {
        configs.put(name, FerryConfig.load(f));
      } catch (ConfigException e) {
        throw new UsageException(e.getMessage());
      }
      String same = dirs.putIfAbsent(configs.get(name).journal().directory().toAbsolutePath().normalize(), name);
      if (same != null) {
        throw new UsageException(same + " and " + name + " name the same journal.dir: give each replica node once");
      }
    }
    return configs;
  }
}
