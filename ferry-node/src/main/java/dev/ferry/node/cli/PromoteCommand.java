package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.topology.Promotion;
import dev.ferry.node.run.PromotionRecord;
import java.io.PrintWriter;
import java.time.Duration;
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
        "point in promotion.json in the journal directory. Stop the node's 'ferry run' first. Safe to run",
        "again after a crash; once done it only reports. See docs/failover.md."})
final class PromoteCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--accept-loss", description = "Promote even though GTIDs are missing; they are logged and "
      + "recorded as lost.")
  boolean acceptLoss;

  @Option(names = "--sequence-gap", paramLabel = "N", defaultValue = "10000",
      description = "Set each sequence this far above the highest value the journal copy shows (default 10000).")
  long sequenceGap;

  @Option(names = "--apply-timeout", paramLabel = "SECONDS", defaultValue = "3600",
      description = "How long applying the journal copy may take (default 3600).")
  long applyTimeout;

  @Option(names = "--capture", description = "Prepare capture (publication, slot: the source section's settings)"
      + " on the promoted database before it becomes writable, so that it continues this journal as its source"
      + " (docs/failover.md). One replica only.")
  boolean capture;

  @Option(names = "--replica", paramLabel = "NAME", description = "Promote only this replica (repeatable).")
  List<String> replicas;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    if (sequenceGap < 0) {
      throw new UsageException("promote --sequence-gap: must not be negative, got " + sequenceGap);
    }
    options.startLogging(config);
    PromotionRecord done;
    try {
      done = Promotion.promote(NodeSpecs.from(config), replicas == null ? List.of() : replicas,
          new Promotion.Options(acceptLoss, sequenceGap, Duration.ofSeconds(applyTimeout), capture));
    } catch (Promotion.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    report(spec.commandLine().getOut(), done, config);
    return 0;
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
