package dev.ferry.node.cli;

import dev.ferry.apply.Applier;
import dev.ferry.apply.jdbc.JdbcApplier;
import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.journal.Journal;
import dev.ferry.journal.TableId;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry setup}: prepare the source, the journal and the replicas. Idempotent. */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {"Prepare the source, the journal and the replicas (idempotent).",
        "Check and prepare the source (PostgreSQL: settings, publication, slot, the _ferry schema;",
        "SQLite: change table and triggers), create the journal, and create each replica's ferry tables.",
        "Safe to run again. A PostgreSQL source needs a superuser here, once; 'ferry run' as a role",
        "that is no superuser then only checks what setup made."})
final class SetupCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    options.startQuietLogging();
    NodeSpec node = NodeSpecs.from(config);
    PrintWriter out = spec.commandLine().getOut();
    List<TableId> tables = switch (node.source()) {
      case SourceSpec.Postgres pg -> PostgresSetup.setup(pg.config()).tables();
      case SourceSpec.Sqlite lite -> {
        try (Connection c = DriverManager.getConnection(lite.config().jdbcUrl())) {
          yield SqliteSetup.setup(c, lite.config());
        }
      }
    };
    out.printf("source %s: ready, capturing %d table(s): %s%n", node.source().name(), tables.size(), tables);
    Files.createDirectories(node.journal().directory());
    String journalId;
    try (Journal journal = Journal.open(node.journal())) {
      journalId = journal.id().toString();
    }
    out.printf("journal %s: ready (%s)%n", node.journal().directory(), journalId);
    for (ReplicaSpec r : node.replicas()) {
      try (Applier applier = JdbcApplier.open(r.forJournal(journalId), r::connect)) {
        String applied = applier.position().applied().toString();
        out.printf("replica %s: ready, %s%n", r.name(), applied.isEmpty() ? "nothing applied yet" : "applied " + applied);
      }
    }
    out.flush();
    return 0;
  }
}
