package dev.ferry.node.cli;

import dev.ferry.node.run.FerryNode;
import picocli.CommandLine.Command;

/** {@code ferry capture}: the capture half alone. */
@Command(name = "capture", mixinStandardHelpOptions = true,
    description = {"Capture the source into the journal, without apply.",
        "Capture the source into the journal (no apply); 'ferry apply' runs the other half",
        "in its own process, sharing the journal directory. SIGTERM or Ctrl-C stops cleanly (exit 0)."})
final class CaptureCommand extends NodeCommand {
  @Override
  FerryNode.Role role() {
    return FerryNode.Role.CAPTURE;
  }
}
