package dev.ferry.node.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.config.ReplicaSettings;
import dev.ferry.node.run.Gtids;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaLag;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.node.run.StatusJson;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.node.run.JournalFromOverride;
import dev.ferry.transport.LinkStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry status}: the source, the journal and every replica — from the running processes'
 * status files, and from the journal and the replicas' {@code replication_control} rows when no
 * process runs. Lag is computed here, from the journal's head and each replica's applied GTID.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show positions, lag and state of the source and every replica.",
        "Show the source position, the journal head and, per replica, the applied GTID, lag",
        "(transactions, bytes, seconds), state and last error. Works whether or not Ferry is running.",
        "--json prints the stable JSON documented in docs/cli.md. --url reads a running node",
        "through its admin API (token from FERRY_TOKEN) instead of the local files."})
final class StatusCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--json", description = "Print JSON (one object).")
  boolean json;

  @Option(names = "--url", paramLabel = "URL",
      description = "Read the node at URL (http://host:port, its http.listen) through its admin API.")
  String url;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    NodeStatus merged;
    Optional<PromotionRecord> promotion = Optional.empty();
    Optional<JournalFromOverride> repoint = Optional.empty();
    Optional<String> repointLine = Optional.empty();
    if (url != null) {
      merged = RemoteNode.at(url).status();
    } else {
      FerryConfig config = options.load();
      options.startQuietLogging();
      promotion = PromotionRecord.read(config.journal().directory());
      repoint = JournalFromOverride.read(config.journal().directory());
      repointLine = repoint.map(o -> repointed(o, config));
      repoint = repoint.filter(o -> config.from().isPresent() && o.appliesTo(config.from().get()));
      merged = merge(config, StatusReader.readAll(config.status().file()), promotion.isPresent());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(promotion.isPresent() ? StatusJson.write(new Promoted(merged, promotion.get()))
          : repoint.isPresent() ? StatusJson.write(new Repointed(merged, repoint.get())) : StatusJson.of(merged));
    } else {
      StatusText.print(out, merged);
      promotion.ifPresent(p -> out.printf("promoted %s (%s): branch point %s, lost %s%n", p.at(), p.state(),
          p.branchPoint().map(Object::toString).orElse("none"), p.lost().isEmpty() ? "none" : p.lost()));
      repointLine.ifPresent(out::println);
    }
    out.flush();
    // Capture or a replica stopped on an error a person must fix: scripts and supervisors see exit 1.
    return merged.anyFailed() ? 1 : 0;
  }

  /** The status of a promoted node: the usual keys, then {@code promotion} (docs/failover.md). */
  record Promoted(@JsonUnwrapped NodeStatus status, PromotionRecord promotion) {
  }

  /** The status of a re-pointed replica node: the usual keys, then {@code repoint} (docs/failover.md). */
  record Repointed(@JsonUnwrapped NodeStatus status, JournalFromOverride repoint) {
  }

  private static String repointed(JournalFromOverride o, FerryConfig config) {
    boolean holds = config.from().isPresent() && o.appliesTo(config.from().get());
    return holds ? "journal.from re-pointed by '" + o.command() + "' at " + o.at() + ": " + o.source()
        + " (instead of the configured " + o.overrides() + ", " + JournalFromOverride.FILE + ")"
        : JournalFromOverride.FILE + " (re-pointed by '" + o.command() + "' at " + o.at() + " to " + o.source()
        + ") overrode " + o.overrides() + ", but journal.from was changed since: the configuration wins (the file"
        + " is set aside at the next 'ferry run')";
  }

  /**
   * One document from the published files; on a promoted node ({@code promoted}) a replica no live
   * process reports on is read from its progress row, since {@code ferry promote} applied after the
   * node's last status file was written.
   */
  private static NodeStatus merge(FerryConfig config, List<StatusReader.Published> published, boolean promoted)
      throws IOException {
    Path dir = config.journal().directory();
    boolean journalExists = Files.exists(SegmentFiles.idFile(dir));
    String journalId = journalExists ? JournalInspector.journalId(dir).toString() : "";
    Optional<NodeStatus.Source> source = published.stream().filter(p -> p.status().source().isPresent())
        .max(StatusReader.Published.NEWEST)
        .map(p -> p.alive() ? p.status().source().get() : p.status().source().get().stopped())
        .map(src -> src.withRetainedWalBytes(SourceWal.retainedBytes(config)));
    Optional<NodeStatus.Journal> capturing = source.isPresent() ? Optional.of(newestSourceJournal(published))
        : Optional.empty();
    List<Gtid> heads = capturing.map(NodeStatus.Journal::newestByDomain).orElse(List.of());
    Optional<Instant> headTime = capturing.flatMap(NodeStatus.Journal::lastCommitTime);
    Optional<Gtid> headGtid = capturing.flatMap(NodeStatus.Journal::lastGtid);
    if (heads.isEmpty() && journalExists) {
      List<SegmentInfo> segments = JournalInspector.list(dir);
      heads = Gtids.newestByDomain(segments.stream().flatMap(s -> s.lastGtid().stream()).toList());
      headGtid = segments.reversed().stream().flatMap(s -> s.lastGtid().stream()).findFirst();
    }
    List<NodeStatus.Replica> replicas = new ArrayList<>();
    // Side by side: each unreachable replica costs up to ReplicaProgress.CONNECT_TIMEOUT, not one after another.
    try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<NodeStatus.Replica>> reads = config.replicas().stream()
          .map(r -> readers.submit(() -> replica(config, r, journalId, published, promoted))).toList();
      for (Future<NodeStatus.Replica> read : reads) {
        replicas.add(withLag(result(read), heads, headTime, dir));
      }
    }
    List<LinkStatus> links = published.stream().filter(p -> !p.status().links().isEmpty())
        .max(StatusReader.Published.NEWEST).stream()
        .flatMap(p -> p.status().links().stream().map(l -> p.alive() ? l : l.stopped())).toList();
    return new NodeStatus(Instant.now(), source,
        new NodeStatus.Journal(dir.toString(), journalId, headGtid, headTime, heads).withConsumersOf(dir), replicas,
        links, StatusReader.operations(config.status().file()));
  }

  /**
   * What a live process reports on {@code r}; else what the last process to apply it saw, with the
   * progress its target's row holds now (the process may have died before it published its last
   * second, and {@code ferry skip} or another process may have applied since); on a promoted node
   * ({@code ferry promote} applied after every status file) and with no file, the row alone.
   */
  private static NodeStatus.Replica replica(FerryConfig config, ReplicaSettings r, String journalId,
      List<StatusReader.Published> published, boolean promoted) {
    Optional<NodeStatus.Replica> live = published.stream().filter(StatusReader.Published::alive)
        .flatMap(p -> p.status().replicas().stream()).filter(x -> x.name().equals(r.name())).findFirst();
    if (live.isPresent()) {
      return live.get();
    }
    Optional<NodeStatus.Replica> last = promoted ? Optional.empty() : published.stream()
        .flatMap(p -> p.status().replicas().stream()).filter(x -> x.name().equals(r.name())).findFirst()
        .map(NodeStatus.Replica::stopped);
    NodeStatus.Replica row = ReplicaProgress.read(config, r, journalId);
    if (last.isEmpty() || row.state() != ReplicaState.STOPPED || row.appliedSet().equals(last.get().appliedSet())) {
      return last.orElse(row); // a row not read (unreachable, never started) leaves what the process saw
    }
    return last.get().withProgressOf(row);
  }

  private static <T> T result(Future<T> read) throws IOException {
    try {
      return read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading the replicas");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  private static NodeStatus.Journal newestSourceJournal(List<StatusReader.Published> published) {
    return published.stream().filter(p -> p.status().source().isPresent()).max(StatusReader.Published.NEWEST)
        .orElseThrow().status().journal();
  }

  /** {@code r} with its lag behind {@code heads}, the journal's newest transaction of each domain. */
  static NodeStatus.Replica withLag(NodeStatus.Replica r, List<Gtid> heads, Optional<Instant> headTime, Path dir) {
    return r.withLag(ReplicaLag.of(heads, headTime, r, transactions -> transactions > 0 && Files.isDirectory(dir)
        ? JournalInspector.bytesAfter(dir, r.position().orElse(JournalPosition.startOf(1))) : 0)
        .withCatchUp(r.lag().catchUp())); // as the process that applies it measured it
  }
}
