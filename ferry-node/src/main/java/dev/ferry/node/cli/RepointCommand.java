package dev.ferry.node.cli;

import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.JournalFromOverride;
import dev.ferry.transport.JournalFrom;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry repoint}: points a replica node's journal copy at another source by writing
 * {@code journal-from.json} into its {@code journal.dir} ({@link JournalFromOverride}), which its
 * {@code ferry run} follows instead of the configured {@code journal.from} — at once when it runs,
 * else at its next start (docs/failover.md#re-pointing-the-other-replica-nodes).
 */
@Command(name = "repoint", mixinStandardHelpOptions = true,
    description = {"Point this replica node's journal copy at another source (after a failover: the promoted",
        "node's journal.serve.http), without editing its configuration: writes journal-from.json into its",
        "journal.dir. A running 'ferry run' switches within a second; a stopped one uses it at its next start.",
        "The configured journal.from stays as it is; changing it later makes the configuration win again.",
        "Refused for a push listener (journal.from.listen): add the node to the new primary's journal.push."})
final class RepointCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--url", paramLabel = "URL",
      description = "The new source's HTTP base URL (the promoted node's journal.serve.http, e.g. http://db-b:8451/).")
  String url;

  @Option(names = "--dir", paramLabel = "DIR", description = "Or: an incoming directory to read sealed segments from.")
  Path dir;

  @Option(names = "--consumer", paramLabel = "NAME",
      description = "The consumer name reported to the new source (default: journal.from.http.consumer, if set).")
  String consumer;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if ((url == null) == (dir == null)) {
      throw new UsageException("give the new source with --url URL (or --dir DIR), one of them");
    }
    if (dir != null && consumer != null) {
      throw new UsageException("--consumer is for an HTTP source (--url), not --dir");
    }
    FerryConfig config = options.load();
    options.startQuietLogging();
    JournalFromOverride o = write(options.file(), config, Optional.ofNullable(url), Optional.ofNullable(dir),
        Optional.ofNullable(consumer), "ferry repoint");
    PrintWriter out = spec.commandLine().getOut();
    out.println(written(options.file(), config, o));
    out.flush();
    return 0;
  }

  /**
   * Writes the override of node {@code file}'s {@code journal.from}: a usage error (exit 2) for a
   * malformed URL, a refusal (exit 1) for a node that is no replica node or a push listener.
   */
  static JournalFromOverride write(Path file, FerryConfig config, Optional<String> url, Optional<Path> dir,
      Optional<String> consumer, String command) throws IOException {
    JournalFrom configured = config.from().orElseThrow(() -> new CliException("cannot re-point " + file
        + ": journal.from is not set: it is no replica node"));
    if (configured instanceof JournalFrom.Listen l) {
      throw new CliException("cannot re-point " + file + ": " + JournalFromOverride.listenerRefusal(l));
    }
    Optional<String> name = consumer.isPresent() || dir.isPresent() ? consumer
        : configured instanceof JournalFrom.Http h ? h.consumer() : Optional.empty();
    JournalFromOverride o = new JournalFromOverride(Instant.now(), command, url.map(u -> checked(u, name)),
        dir.map(d -> d.toAbsolutePath().toString()), name, JournalFromOverride.describe(configured));
    o.write(config.journal().directory());
    return o;
  }

  /** What {@link #write} did, in one line. */
  static String written(Path file, FerryConfig config, JournalFromOverride o) {
    return "re-pointed " + file + " to " + o.source() + " (instead of the configured " + o.overrides() + "): wrote "
        + config.journal().directory().resolve(JournalFromOverride.FILE) + "; a running 'ferry run' switches within"
        + " a second, a stopped one uses it at its next start";
  }

  /** The URL as the copy will use it; a malformed one is a usage error naming {@code --url}. */
  private static String checked(String url, Optional<String> consumer) {
    try {
      return new JournalFrom.Http(URI.create(url), Optional.empty(), JournalFrom.Http.DEFAULT_POLL,
          JournalFrom.Http.DEFAULT_RETRY_MAX, Optional.empty(), consumer).url().toString();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--url: " + e.getMessage());
    }
  }
}
