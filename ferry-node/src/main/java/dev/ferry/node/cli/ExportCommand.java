package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.Exports;
import dev.ferry.node.sync.FullExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry export DIR}: a full export archive of the source (docs/initial-sync.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write a full export archive of the source.",
        "Write a full export archive of the source into the new directory DIR: one COPY-text file",
        "per table, TABLES, SCHEMA_SEQUENCE, REPLICATION_SEQUENCE and SHA256SUMS. The archive is a replication",
        "point (capture must be running) unless --no-replication-point; 'ferry load' loads it into a replica."})
final class ExportCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The archive directory (new, or empty).")
  Path dir;

  @Option(names = "--no-replication-point",
      description = "Leave REPLICATION_SEQUENCE empty: a consistent snapshot no replica can stream from.")
  boolean noReplicationPoint;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
      description = "Tables written at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(names = "--journal-wait", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long to wait for capture to journal the snapshot (default: ${DEFAULT-VALUE}).")
  long journalWaitSeconds;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    if (parallel < 1 || journalWaitSeconds < 0) {
      throw new UsageException("--parallel must be at least 1 and --journal-wait not negative");
    }
    options.startQuietLogging();
    Exports exports = NodeSpecs.source(config.source()).exports().orElseThrow(CliException::new);
    FullExport.Options opts = new FullExport.Options(!noReplicationPoint, parallel,
        Duration.ofSeconds(journalWaitSeconds));
    FullExport.Exported e;
    try (OperationStatus op = OperationStatus.start(config, "export", dir.toAbsolutePath().toString())) {
      e = exports.export(config.journal().directory().toAbsolutePath(), dir, opts.watchedBy(op.watcher()));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("archive %s: %d tables, %d rows, schema sequence %d%n", e.dir(), e.tables().size(), e.rows(),
        e.schemaSequence());
    if (e.point().isPresent()) {
      out.printf("replication point: snapshot %s, journal %s position %s%n", e.point().get().snapshot(),
          e.point().get().journalId(), e.point().get().resume().journalPosition().map(Object::toString).orElse("?"));
    } else {
      out.printf("no replication point (REPLICATION_SEQUENCE is empty): %s%n", e.noPointReason().orElse("?"));
    }
    out.flush();
    return 0;
  }
}
