package dev.ferry.node.cli;

import dev.ferry.apply.jdbc.ConflictStore;
import dev.ferry.journal.model.Gtid;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.ReplicaSkip;
import dev.ferry.node.run.StatusJson;
import dev.ferry.transport.http.HttpServeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry skip}: a stopped replica goes past one transaction without applying it, recorded
 * ({@link ReplicaSkip}); with {@code --url} through a running node's admin API
 * ({@code POST /api/replicas/{name}/skip}), which then applies that replica again.
 */
@Command(name = "skip", mixinStandardHelpOptions = true,
    description = {"Make a stopped replica go past one transaction without applying it.",
        "GTID must be the next transaction the replica would apply (the one it stopped on). Its GTID is added",
        "to the replica's applied set and the skip is recorded in the replica's conflicts table (type skipped,",
        "your user name, --note), so 'ferry conflicts' lists it. Without --url the node must not be running",
        "(refused while 'ferry run' holds the journal). With --url the running node skips it (the replica must",
        "show failed) and applies that replica again from the next transaction; token from FERRY_TOKEN."})
final class SkipCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--url", paramLabel = "URL",
      description = "Skip through the running node at URL (http://host:port, its http.listen) and its admin API.")
  String url;

  @Option(names = "--replica", required = true, paramLabel = "NAME", description = "The replica.")
  String replica;

  @Option(names = "--gtid", required = true, paramLabel = "GTID", description = "The transaction to skip.")
  String gtidText;

  @Option(names = "--note", paramLabel = "TEXT", description = "Why it is skipped.")
  String note;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Gtid gtid;
    try {
      gtid = Gtid.parse(gtidText.strip());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--gtid: " + e.getMessage());
    }
    ConflictStore.Resolution resolution = new ConflictStore.Resolution(Instant.now(),
        System.getProperty("user.name", "unknown"), Optional.ofNullable(note).filter(t -> !t.isBlank()));
    PrintWriter out = spec.commandLine().getOut();
    if (url != null) {
      Map<?, ?> answer = remote(gtid, resolution);
      out.printf("replica %s skipped %s (%s change(s) to %s, not applied); recorded in its conflicts table as"
          + " skipped; the node applies it again%n", replica, gtid, answer.get("changes"), answer.get("tables"));
      out.flush();
      return 0;
    }
    FerryConfig config = options.load();
    NodeSpecs.requireReplica(config, replica);
    options.startQuietLogging();
    ReplicaSkip.Skipped skipped;
    try {
      skipped = ReplicaSkip.skip(NodeSpecs.from(config).replica(replica), ReplicaCommand.journalOf(config), gtid,
          resolution);
    } catch (ReplicaSkip.JournalHeldException e) {
      throw new CliException(e.getMessage() + ": " + config.http().map(h -> "skip through it with 'ferry skip --url "
          + adminUrl(h) + " --replica " + replica + " --gtid " + gtid + "' (FERRY_TOKEN set to its http.token, if"
          + " any)").orElse("stop it first, or set http.listen so that 'ferry skip --url' can skip through it"));
    } catch (ReplicaSkip.RefusedException e) {
      throw new CliException(e.getMessage());
    }
    out.printf("replica %s skipped %s (%d change(s) to %s, not applied); recorded in its conflicts table as"
        + " skipped%n", replica, skipped.gtid(), skipped.changes(), skipped.tables());
    out.flush();
    return 0;
  }

  /** {@code POST /api/replicas/{name}/skip} of the node at {@link #url}: its answer. */
  private Map<?, ?> remote(Gtid gtid, ConflictStore.Resolution resolution) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("gtid", gtid.toString());
    resolution.note().ifPresent(n -> body.put("note", n));
    body.put("by", resolution.by());
    String path = "api/replicas/" + URLEncoder.encode(replica.strip(), StandardCharsets.UTF_8) + "/skip";
    return StatusJson.read(RemoteNode.at(url).post(path, StatusJson.write(body)).expect(), Map.class);
  }

  /** The URL this machine reaches the node's admin API at: a wildcard listen is reached on loopback. */
  private static String adminUrl(HttpServeConfig http) {
    String host = http.host().equals("0.0.0.0") || http.host().equals("::") ? "127.0.0.1" : http.host();
    return http.scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port();
  }
}
