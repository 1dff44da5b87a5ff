package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.journal.model.Gtid;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.ReplicaSkip;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry skip}: a stopped replica goes past one transaction without applying it, recorded ({@link ReplicaSkip}). */
@Command(name = "skip", mixinStandardHelpOptions = true,
    description = {"Make a stopped replica go past one transaction without applying it.",
        "GTID must be the next transaction the replica would apply (the one it stopped on). Its GTID is added",
        "to the replica's applied set and the skip is recorded in the replica's conflicts table (type skipped,",
        "your user name, --note), so 'ferry conflicts' lists it. Stop the node's 'ferry run' first: refused",
        "while it holds the journal."})
final class SkipCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--replica", required = true, paramLabel = "NAME", description = "The replica.")
  String replica;

  @Option(names = "--gtid", required = true, paramLabel = "GTID", description = "The transaction to skip.")
  String gtidText;

  @Option(names = "--note", paramLabel = "TEXT", description = "Why it is skipped.")
  String note;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Gtid gtid;
    try {
      gtid = Gtid.parse(gtidText.strip());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--gtid: " + e.getMessage());
    }
    FerryConfig config = options.load();
    NodeSpecs.requireReplica(config, replica);
    options.startQuietLogging();
    ReplicaSkip.Skipped skipped;
    try {
      skipped = ReplicaSkip.skip(NodeSpecs.from(config).replica(replica), ReplicaCommand.journalOf(config), gtid,
          new ConflictStore.Resolution(Instant.now(), System.getProperty("user.name", "unknown"),
              Optional.ofNullable(note).filter(t -> !t.isBlank())));
    } catch (ReplicaSkip.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("replica %s skipped %s (%d change(s) to %s, not applied); recorded in its conflicts table as"
        + " skipped%n", replica, skipped.gtid(), skipped.changes(), skipped.tables());
    out.flush();
    return 0;
  }
}
