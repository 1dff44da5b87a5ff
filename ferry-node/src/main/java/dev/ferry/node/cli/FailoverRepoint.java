package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.JournalFromOverride;
import dev.ferry.node.topology.FailoverChoice;
import dev.ferry.transport.JournalFrom;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code ferry failover --repoint}: the override ({@code journal-from.json}) each other node gets
 * once the chosen node is promoted — the URL and consumer {@link FailoverText#repoint} prints.
 * Written only for a node that can follow, is not a push listener, and when the promoted node's
 * configuration serves its journal over HTTP at a known host; every other node is left as it is.
 */
final class FailoverRepoint {
  private FailoverRepoint() {}

  /** Writes {@code v}'s node's override; false (nothing written) when it gets the printed step instead. */
  static boolean write(PrintWriter out, FailoverChoice.Verdict v, FerryConfig node, String chosen, FerryConfig promoted)
      throws IOException {
    Optional<String> url = FailoverText.url(promoted, chosen);
    if (!writable(v, node) || url.isEmpty() || url.get().contains("<")) {
      return false;
    }
    JournalFromOverride o = RepointCommand.write(Path.of(v.node()), node, url, Optional.empty(),
        Optional.of(FailoverText.consumer(v, node)), "ferry failover --repoint");
    out.println(RepointCommand.written(Path.of(v.node()), node, o));
    return true;
  }

  /** What {@link #write} would write, for {@code --dry-run}. */
  static void wouldWrite(PrintWriter out, FailoverChoice.Verdict v, FerryConfig node, String chosen,
      FerryConfig promoted) {
    Optional<String> url = FailoverText.url(promoted, chosen);
    if (!writable(v, node) || url.isEmpty() || url.get().contains("<")) {
      out.printf("--repoint would leave %s untouched (%s)%n", v.node(), !v.canFollow() ? "it cannot follow"
          : node.from().orElseThrow() instanceof JournalFrom.Listen ? "a push listener: add it to journal.push"
          : "no journal.serve.http URL of " + chosen + " to point it at");
      return;
    }
    out.printf("--repoint would write %s: http %s consumer %s (instead of the configured %s)%n",
        node.journal().directory().resolve(JournalFromOverride.FILE), url.get(), FailoverText.consumer(v, node),
        JournalFromOverride.describe(node.from().orElseThrow()));
  }

  private static boolean writable(FailoverChoice.Verdict v, FerryConfig node) {
    return v.canFollow() && node.from().isPresent() && !(node.from().get() instanceof JournalFrom.Listen);
  }
}
