package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.TargetTeardown;
import dev.ferry.journal.model.Side;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.SameDatabaseGuard;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry teardown}: remove what setup created. */
@Command(name = "teardown", mixinStandardHelpOptions = true,
    description = {"Remove what setup created.",
        "Remove Ferry's objects from the source (PostgreSQL: slot, publication, _ferry schema;",
        "SQLite: triggers and change table). With --replicas also each replica's Ferry tables (progress",
        "and conflicts) and, on a read-only replica, the guard triggers and the database's read-only",
        "default (put back as before). With --replicas NAME[,NAME…] only those replicas, and the source",
        "is left alone. The journal directory and the replicated data stay. Stop Ferry first."})
final class TeardownCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--replicas", arity = "0..*", split = ",", paramLabel = "NAME", fallbackValue = "",
      description = "Also tear down every replica (its progress is lost); with names, only those replicas.")
  List<String> replicas;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    List<String> named = replicas == null ? List.of() : replicas.stream().filter(n -> !n.isEmpty()).toList();
    List<ReplicaSettings> chosen = chosen(config, named);
    options.startQuietLogging();
    if (!chosen.isEmpty()) {
      // Dropping a replica's Ferry tables and lifting its read-only setting must never reach the source.
      SameDatabaseGuard.check(NodeSpecs.from(config), chosen.stream().map(ReplicaSettings::name).toList(),
          SameDatabaseGuard.Unreachable.CHECK_LATER);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (named.isEmpty()) {
      NodeSpecs.from(config).source().tearDown();
      out.printf("source %s: Ferry's objects removed%n", config.source().name());
    }
    for (ReplicaSettings r : chosen) {
      String lifted = tearDownReplica(r);
      out.printf("replica %s: Ferry's tables removed, %s lifted%n", r.name(), lifted);
    }
    out.flush();
    return 0;
  }

  private List<ReplicaSettings> chosen(FerryConfig config, List<String> named) {
    if (replicas == null) {
      return List.of();
    }
    if (named.isEmpty()) {
      return config.replicas();
    }
    List<String> known = config.replicas().stream().map(ReplicaSettings::name).toList();
    for (String name : named) {
      if (!known.contains(name)) {
        throw new UsageException("teardown --replicas: no replica named '" + name + "' in " + options.file()
            + " (replicas: " + String.join(", ", known) + ")");
      }
    }
    return config.replicas().stream().filter(r -> named.contains(r.name())).toList();
  }

  private static String tearDownReplica(ReplicaSettings r) throws Exception {
    Properties props = new Properties();
    r.password().ifPresent(p -> props.setProperty("password", p.value()));
    try (Connection c = DriverManager.getConnection(r.url().value(), props)) {
      return TargetTeardown.remove(c);
    } catch (SQLException e) {
      throw new CliException(Side.replica(r.name()) + " teardown failed: " + e.getMessage() + " (SQLSTATE "
          + e.getSQLState() + ")");
    }
  }
}
