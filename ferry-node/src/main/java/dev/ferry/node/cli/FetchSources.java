package dev.ferry.node.cli;

import dev.ferry.node.config.ConfigException;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.transport.BearerToken;
import dev.ferry.transport.CopyFetch;
import dev.ferry.transport.JournalFrom;
import dev.ferry.transport.http.HttpReceiver;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code ferry promote --fetch-from SOURCE}: before the promotion, brings the node's journal copy up
 * to what each source holds beyond its end ({@link CopyFetch}), in the order given, and prints what
 * was fetched. A source is another replica node's configuration (its journal copy is read), a
 * journal or archive directory, or the {@code http(s)://} URL of a node serving its journal
 * ({@code journal.serve.http}; the bearer token from {@code FERRY_TOKEN}).
 */
final class FetchSources {
  private FetchSources() {
  }

  /** Fetches from every source into the copy of {@code config}'s node; nothing once a promotion started. */
  static void fetch(FerryConfig config, NodeSpec spec, List<String> sources, PrintWriter out)
      throws InterruptedException {
    if (sources == null || sources.isEmpty() || spec.from().isEmpty()) {
      return; // not a replica node: the promotion refuses it, naming why
    }
    Path copy = spec.journal().directory();
    try {
      Optional<PromotionRecord> earlier = PromotionRecord.read(copy.toAbsolutePath());
      if (earlier.isPresent()) {
        out.printf("fetched nothing: the promotion of %s started at %s (branch point %s); its copy no longer grows%n",
            copy, earlier.get().at(), earlier.get().branchPoint().map(Object::toString).orElse("none"));
        return;
      }
      for (String source : sources) {
        out.println(fetchOne(spec, source));
        out.flush();
      }
    } catch (CopyFetch.RefusedException e) {
      throw new CliException(e.getMessage() + "; nothing was promoted");
    } catch (IOException e) {
      throw new CliException("--fetch-from: " + (e.getMessage() == null ? e.toString() : e.getMessage())
          + "; nothing was promoted (what was fetched is kept: run it again)");
    }
  }

  private static CopyFetch.Fetched fetchOne(NodeSpec spec, String source) throws IOException, InterruptedException {
    if (source.startsWith("http://") || source.startsWith("https://")) {
      JournalFrom.Http from = http(source);
      return CopyFetch.fromSource(spec.journal(), HttpReceiver.source(from), source);
    }
    Path path = Path.of(source);
    Path dir;
    if (Files.isRegularFile(path)) {
      try {
        dir = FerryConfig.load(path).journal().directory();
      } catch (ConfigException e) {
        throw new UsageException("--fetch-from " + source + ": " + e.getMessage());
      }
    } else if (Files.isDirectory(path)) {
      dir = path;
    } else {
      throw new UsageException("--fetch-from " + source + ": no such file or directory (give another replica node's"
          + " configuration, a journal or archive directory, or the http:// URL of a node serving its journal)");
    }
    if (Files.isDirectory(dir) && Files.isSameFile(dir, spec.journal().directory())) {
      throw new UsageException("--fetch-from " + source + ": that is this node's own journal copy ("
          + spec.journal().directory() + ")");
    }
    return CopyFetch.fromDirectory(spec.journal(), dir, source);
  }

  private static JournalFrom.Http http(String source) {
    try {
      URI url = new URI(source.endsWith("/") ? source : source + "/");
      Optional<BearerToken> token = Optional.ofNullable(System.getenv(RemoteNode.TOKEN_ENV)).map(BearerToken::new);
      return new JournalFrom.Http(url, token);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new UsageException("--fetch-from " + source + ": " + e.getMessage());
    }
  }
}
