package dev.ferry.node.cli;

import dev.ferry.node.topology.Promotion;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** How a node is promoted: the options {@code ferry promote} and {@code ferry failover} share. */
final class PromoteOptions {
  @Option(names = "--accept-loss", description = "Promote even though GTIDs are missing; they are logged and "
      + "recorded as lost.")
  boolean acceptLoss;

  @Option(names = "--sequence-gap", paramLabel = "N", defaultValue = "10000",
      description = "Set each sequence this far above the highest value the journal copy shows (default 10000).")
  long sequenceGap;

  @Option(names = "--apply-timeout", paramLabel = "SECONDS", defaultValue = "3600",
      description = "How long applying the journal copy may take (default 3600).")
  long applyTimeout;

  @Option(names = "--capture", description = "Prepare capture (PostgreSQL: publication, slot, the source section's"
      + " settings; SQLite: triggers and change table)"
      + " on the promoted database before it becomes writable, so that it continues this journal as its source"
      + " (docs/failover.md). One replica only.")
  boolean capture;

  @Option(names = "--replica", paramLabel = "NAME", description = "Promote only this replica (repeatable).")
  List<String> replicas;

  @Option(names = "--fetch-from", paramLabel = "SOURCE", description = "Before promoting, take what SOURCE holds "
      + "beyond the node's journal copy (repeatable, in order): another replica node's configuration, a journal or "
      + "archive directory, or the http:// URL of a node serving its journal (token from FERRY_TOKEN). Refused, "
      + "naming the segment and GTID, when SOURCE holds another history.")
  List<String> fetchFrom;

  /** The options as {@link Promotion} takes them; a negative gap is a usage error. */
  Promotion.Options options(String command) {
    if (sequenceGap < 0) {
      throw new UsageException(command + " --sequence-gap: must not be negative, got " + sequenceGap);
    }
    return new Promotion.Options(acceptLoss, sequenceGap, Duration.ofSeconds(applyTimeout), capture);
  }

  List<String> replicas() {
    return replicas == null ? List.of() : replicas;
  }
}
