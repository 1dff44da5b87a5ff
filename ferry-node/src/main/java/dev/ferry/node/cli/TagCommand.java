package dev.ferry.node.cli;

import dev.ferry.journal.model.Tag;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.StatusJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry tag NAME}: a named cut-off marker written into the source's stream (docs/failover.md). */
@Command(name = "tag", mixinStandardHelpOptions = true,
    description = {"Write a named cut-off marker into the replicated stream.",
        "Commit the tag NAME on the source (PostgreSQL: a transactional logical message), so it takes its exact",
        "place among the source's transactions. It shows in 'ferry journal dump', travels to every journal copy,",
        "and a replica with 'until: tag:NAME' stops right after it. With --url the running node that captures",
        "the source writes it (POST /api/tag; FERRY_TOKEN holds its http.token, if any)."})
final class TagCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;
  @Parameters(paramLabel = "NAME", description = "The tag: 1 to 63 letters, digits, '.', '_' or '-'.") String name;
  @Option(names = "--url", paramLabel = "URL",
      description = "The admin API of the running node that captures the source (its http.listen, e.g. http://db1:8470).")
  String url;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Tag tag;
    try {
      tag = new Tag(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (url != null) {
      Map<?, ?> answer = StatusJson.read(RemoteNode.at(url).post("api/tag", StatusJson.write(Map.of("name", tag.name())))
          .expect(), Map.class);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("tag %s written to the source of %s at %s%n", tag, url, answer.get("at"));
      out.flush();
      return 0;
    }
    FerryConfig config = options.load();
    options.startQuietLogging();
    if (config.from().isPresent()) {
      throw new CliException(config.file() + " configures a replica node (journal.from): run 'ferry tag' with the"
          + " configuration of the node that captures the source");
    }
    String at = NodeSpecs.source(config.source()).tags().orElseThrow(CliException::new).emit(tag);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("tag %s written to source %s at %s%n", tag, config.source().capture().name(), at);
    out.flush();
    return 0;
  }
}
