package dev.ferry.node.cli;

import dev.ferry.node.run.FerryNode;
import picocli.CommandLine.Command;

/** {@code ferry run}: capture and apply in one process. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Capture and apply in one process.",
        "Capture the source into the journal and apply it to every replica, in one process.",
        "Sets the source up when needed (as a superuser); as a role that is no superuser, only checks what",
        "'ferry setup' made. Streams until stopped; SIGTERM or Ctrl-C finishes the transaction",
        "in hand, flushes, and exits 0."})
final class RunCommand extends NodeCommand {
  @Override
  FerryNode.Role role() {
    return FerryNode.Role.RUN;
  }
}
