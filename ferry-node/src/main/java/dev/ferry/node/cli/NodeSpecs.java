package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.config.SourceSettings;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.SourceSpec;
import java.util.List;
import java.util.Properties;

/** Turns the configuration file's settings into what the node runs. */
final class NodeSpecs {
  private NodeSpecs() {}

  /** The node; its journal's segments are served by the node's own server when that listens on their address. */
  static NodeSpec from(FerryConfig config) {
    return new NodeSpec(source(config.source()), config.journal(), config.archive(),
        config.replicas().stream().map(r -> replica(config, r)).toList(), config.from(), config.serve(),
        config.push(), config.httpServesJournal());
  }

  /** The configured source, with its password (source.password) for its connections. */
  static SourceSpec source(SourceSettings s) {
    return s.password().map(p -> s.capture().withPassword(p.value())).orElse(s.capture());
  }

  static ReplicaSpec replica(FerryConfig config, ReplicaSettings r) {
    Properties props = new Properties();
    r.password().ifPresent(p -> props.setProperty("password", p.value()));
    return new ReplicaSpec(r.apply(), r.url().value(), props).withControls(r.controls());
  }

  static List<String> replicaNames(FerryConfig config) {
    return config.replicas().stream().map(ReplicaSettings::name).toList();
  }

  /** Refuses (a usage error naming the file and its replicas) a {@code --replica} the configuration has not. */
  static void requireReplica(FerryConfig config, String name) {
    if (!replicaNames(config).contains(name)) {
      throw new UsageException("--replica " + name + ": no such replica in " + config.file() + " (it has "
          + replicaNames(config) + ")");
    }
  }
}
