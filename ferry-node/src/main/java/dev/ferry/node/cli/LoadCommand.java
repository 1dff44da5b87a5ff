package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SameDatabaseGuard;
import dev.ferry.node.sync.ArchiveLoad;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry load DIR --replica NAME}: load a full export archive into a replica. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Load an export archive into a replica.",
        "Load the export archive DIR into a replica in one transaction (tables created if missing,",
        "emptied, filled) and record its replication point, so 'ferry run' or 'ferry apply' stream from",
        "exactly there. Refuses a corrupt archive or one from another journal, leaving the replica as it was."})
final class LoadCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The archive directory ('ferry export' wrote it).")
  Path dir;

  @Option(names = "--replica", paramLabel = "NAME", required = true, description = "The replica to load.")
  String name;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    ReplicaSpec configured = NodeSpecs.from(config).replicas().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new UsageException("--replica " + name + ": no such replica in " + config.file()
            + " (it has " + NodeSpecs.replicaNames(config) + ")"));
    options.startQuietLogging();
    NodeSpec checked = SameDatabaseGuard.check(NodeSpecs.from(config), List.of(name),
        SameDatabaseGuard.Unreachable.REFUSE);
    ReplicaSpec replica = checked.replica(configured.name());
    ArchiveLoad.Loaded loaded;
    try (OperationStatus op = OperationStatus.start(config, "load",
        dir.toAbsolutePath() + " into replica " + name)) {
      loaded = ArchiveLoad.load(dir, replica, config.journal().directory().toAbsolutePath(), op.watcher());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("replica %s: loaded %d rows of %d tables from %s%n", name, loaded.rows(), loaded.rowsByTable().size(),
        dir);
    if (loaded.point().isPresent()) {
      out.printf("streams from journal %s position %s (snapshot %s)%n", loaded.point().get().journalId(),
          loaded.point().get().resume().journalPosition().map(Object::toString).orElse("?"), loaded.point().get().snapshot());
    } else {
      out.printf("no replication point: replica %s cannot stream from this archive%n", name);
    }
    out.flush();
    return 0;
  }
}
