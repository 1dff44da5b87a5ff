package dev.ferry.node.cli;

import dev.ferry.node.config.ConfigException;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.topology.Failover;
import dev.ferry.node.topology.FailoverChoice;
import dev.ferry.node.topology.Promotion;
import dev.ferry.node.run.PromotionRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry promote}: make a replica node's targets writable after its primary is gone (docs/failover.md). */
@Command(name = "promote", mixinStandardHelpOptions = true,
    description = {"Promote a replica node (journal.from) after its primary is gone: apply everything its journal",
        "copy holds, refuse when GTIDs are missing (naming them) unless --accept-loss, set every replicated",
        "sequence above the highest value seen plus a gap, make the replicas writable, and record the branch",
        "point in promotion.json in the journal directory. With --fetch-from it first takes what another copy",
        "holds beyond this one. Stop the node's 'ferry run' first. Safe to run",
        "again after a crash; once done it only reports. See docs/failover.md."})
final class PromoteCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Mixin PromoteOptions promote;

  @Option(names = "--sibling", paramLabel = "CONFIG", description = "Another replica node of the journal (its "
      + "configuration; repeatable): refuse when it holds GTIDs this node lacks, naming them, unless --accept-loss.")
  List<Path> siblings;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    Promotion.Options how = promote.options("promote");
    options.startLogging(config);
    FetchSources.fetch(config, NodeSpecs.from(config), promote.fetchFrom, spec.commandLine().getOut());
    checkSiblings(config);
    PromotionRecord done;
    try {
      done = Promotion.promote(NodeSpecs.from(config), promote.replicas(), how);
    } catch (Promotion.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    report(spec.commandLine().getOut(), done, config);
    return 0;
  }

  /** {@code --sibling}: refuses when a sibling holds what this node lacks, as {@code ferry failover} would. */
  private void checkSiblings(FerryConfig config) throws Exception {
    if (siblings == null || siblings.isEmpty()) {
      return;
    }
    List<Failover.Inspected> nodes = new ArrayList<>();
    try {
      nodes.add(Failover.inspect(config.file().toString(), NodeSpecs.from(config)));
      for (Path f : siblings) {
        FerryConfig sibling;
        try {
          sibling = FerryConfig.load(f);
        } catch (ConfigException e) {
          throw new UsageException(e.getMessage());
        }
        nodes.add(Failover.inspect(f.toString(), NodeSpecs.from(sibling)));
      }
      Failover.checkOneJournal(nodes);
    } catch (Promotion.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    FailoverChoice.Plan plan = FailoverChoice.planFor(nodes.get(0).node(),
        nodes.stream().map(Failover.Inspected::node).toList());
    if (!plan.containsAll()) {
      String lost = FailoverText.lost(plan);
      if (!promote.acceptLoss) {
        throw new CliException("cannot promote " + config.file() + ": a sibling holds what it lacks: " + lost
            + "; nothing was changed. Promote the node that holds them ('ferry failover' chooses it), or run with"
            + " --accept-loss to lose them");
      }
      spec.commandLine().getErr().println("ferry promote: --accept-loss: promoting without " + lost);
    }
  }

  /** What a done promotion prints: {@code ferry promote}'s and {@code ferry failover}'s report. */
  static void report(PrintWriter out, PromotionRecord done, FerryConfig config) {
    out.printf("promoted: branch point %s, lost %s, sequences %s, replicas %s (recorded in %s)%n",
        done.branchPoint().map(Object::toString).orElse("none"), done.lost().isEmpty() ? "none" : done.lost(),
        done.sequences(), done.applied().keySet(), config.journal().directory().resolve(PromotionRecord.FILE));
    done.capture().ifPresent(c -> out.printf("capture prepared on replica %s (slot %s): configure this node with"
        + " source.url on that database, its own source.gtid.server-id and no journal.from, then 'ferry run'%n",
        c.replica(), c.slot()));
    out.flush();
  }
}
