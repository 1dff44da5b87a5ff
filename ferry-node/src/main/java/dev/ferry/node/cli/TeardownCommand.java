package dev.ferry.node.cli;

import dev.ferry.capture.postgres.PostgresSetup;
import dev.ferry.capture.trigger.SqliteSetup;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.JdbcUrl;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.SourceSpec;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry teardown}: remove what setup created. */
@Command(name = "teardown", mixinStandardHelpOptions = true,
    description = {"Remove what setup created.",
        "Remove Ferry's objects from the source (PostgreSQL: slot, publication, ferry schema;",
        "SQLite: triggers and change table). With --replicas also each replica's ferry tables (progress",
        "and conflicts). The journal directory and the replicated data are left alone. Stop Ferry first."})
final class TeardownCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--replicas", description = "Also drop each replica's ferry tables (its progress is lost).")
  boolean replicas;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    options.startQuietLogging();
    NodeSpec node = NodeSpecs.from(config);
    PrintWriter out = spec.commandLine().getOut();
    switch (node.source()) {
      case SourceSpec.Postgres pg -> PostgresSetup.teardown(pg.config());
      case SourceSpec.Sqlite lite -> {
        try (Connection c = DriverManager.getConnection(lite.config().jdbcUrl())) {
          SqliteSetup.teardown(c);
        }
      }
    }
    out.printf("source %s: Ferry's objects removed%n", node.source().name());
    if (replicas) {
      for (ReplicaSettings r : config.replicas()) {
        dropReplicaTables(r);
        out.printf("replica %s: ferry tables removed%n", r.name());
      }
    }
    out.flush();
    return 0;
  }

  private static void dropReplicaTables(ReplicaSettings r) throws Exception {
    Properties props = new Properties();
    r.password().ifPresent(p -> props.setProperty("password", p.value()));
    try (Connection c = DriverManager.getConnection(r.url().value(), props); Statement st = c.createStatement()) {
      if (r.url().kind() == JdbcUrl.Kind.POSTGRESQL) {
        st.execute("DROP TABLE IF EXISTS ferry.replication_control, ferry.conflicts, ferry.archive_loads");
      } else {
        for (String t : new String[] {"ferry_replication_control", "ferry_conflicts", "ferry_sequences",
            "ferry_archive_loads"}) {
          st.execute("DROP TABLE IF EXISTS " + t);
        }
      }
    }
  }
}
