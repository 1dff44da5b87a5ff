package dev.ferry.node.cli;

import dev.ferry.node.run.FerryNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry apply}: the apply half alone. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = {"Apply the journal to replicas, without capture.",
        "Apply the journal to replicas (no capture); 'ferry capture' writes the journal in",
        "its own process. SIGTERM or Ctrl-C stops cleanly (exit 0)."})
final class ApplyCommand extends NodeCommand {
  @Option(names = "--replica", paramLabel = "NAME",
      description = "A replica to apply (repeatable; default: every replica in the configuration).")
  List<String> names = new ArrayList<>();

  @Override
  FerryNode.Role role() {
    return FerryNode.Role.APPLY;
  }

  @Override
  List<String> replicas() {
    return names;
  }
}
