package dev.ferry.node.cli;

import dev.ferry.node.admin.NodeMetrics;
import dev.ferry.node.admin.NodeServer;
import dev.ferry.node.config.FerryConfig;
import dev.ferry.node.run.FerryNode;
import dev.ferry.node.run.NodeSpec;
import dev.ferry.node.run.NodeStatus;
import dev.ferry.node.run.ReplicaSpec;
import dev.ferry.node.run.ReplicaState;
import dev.ferry.node.run.SameDatabaseGuard;
import dev.ferry.node.run.PromotedJournal;
import dev.ferry.node.run.PromotionRecord;
import dev.ferry.transport.http.HttpServeConfig;
import dev.ferry.transport.http.SegmentServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

/**
 * What {@code ferry run}, {@code ferry capture} and {@code ferry apply} share: load the
 * configuration, start the node, write its status every second, and on SIGTERM or Ctrl-C finish
 * the transaction in hand, flush, and exit 0. Exit 1 when capture stops with an error, or when
 * every replica this process applies has stopped with one.
 */
abstract class NodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

  @Mixin ConfigOptions options;

  abstract FerryNode.Role role();

  /** Replicas to apply (all when empty). */
  List<String> replicas() {
    return List.of();
  }

  @Override
  public Integer call() throws Exception {
    FerryConfig config = options.load();
    NodeSpec configured = NodeSpecs.from(config);
    preflight(config);
    options.startLogging(config);
    log.info("ferry {} starting with {}", role().name().toLowerCase(java.util.Locale.ROOT), config.describe().strip());
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onTerminate(stop::countDown);
    StatusFile status = new StatusFile(config.status().file(), role(), replicas());
    FerryNode started;
    NodeMetrics metrics = new NodeMetrics();
    Optional<SegmentServer> server;
    try {
      NodeSpec spec = SameDatabaseGuard.check(configured, replicas(), SameDatabaseGuard.Unreachable.CHECK_LATER);
      started = FerryNode.start(spec, role(), replicas(), metrics);
      metrics.bind(started);
      started.showOperations(() -> StatusReader.operations(config.status().file()));
      server = startServer(config, spec, started, metrics);
    } catch (java.io.IOException | RuntimeException e) {
      metrics.close();
      // The command line prints it as its last line; the console shows it once.
      LoggerFactory.getLogger(Logging.FILE_ONLY).error("{}", ErrorAdvice.forUser(e).orElse(String.valueOf(e)), e);
      throw e;
    }
    try (FerryNode node = started; metrics; AutoCloseable http = () -> server.ifPresent(SegmentServer::close)) {
      // Published at once, then every second: 'ferry status' right after start names where each replica resumes.
      Optional<String> statusFailed = Optional.empty();
      do {
        NodeStatus now = node.status();
        statusFailed = publish(status, now, statusFailed);
        Optional<String> fatal = fatal(node, now);
        if (fatal.isPresent()) {
          log.error("{}; stopping", fatal.get());
          return 1;
        }
      } while (!stop.await(1, TimeUnit.SECONDS));
      log.info("stop requested: finishing the transaction in hand");
    } finally {
      // The node is closed here: everything captured is durable, everything applied committed. The file
      // keeps where it stopped, not the last second's picture.
      try {
        status.markStopped(started::status);
      } catch (java.io.IOException e) {
        log.warn("could not update {}: {}", config.status().file(), e.getMessage());
      }
    }
    log.info("stopped cleanly");
    return 0;
  }

  /**
   * Writes the status file; a failure is a warning (once until it changes), never a reason to stop
   * replicating: the file only reports, and the next second writes it again. (A journal copy's first
   * recovery removes leftover {@code *.tmp} files, the status file's half-written one included, when
   * the two meet.) Returns the failure now, if any.
   */
  private Optional<String> publish(StatusFile status, NodeStatus now, Optional<String> failedBefore) {
    try {
      status.write(now);
      return Optional.empty();
    } catch (java.io.IOException e) {
      String why = String.valueOf(e.getMessage());
      if (!failedBefore.equals(Optional.of(why))) {
        log.warn("could not write the status file (trying again in a second): {}", why);
      }
      return Optional.of(why);
    }
  }

  /** Refuses what cannot run before anything starts: unknown replicas, the wrong command, unreachable databases. */
  private void preflight(FerryConfig config) throws Exception {
    for (String name : replicas()) {
      if (!NodeSpecs.replicaNames(config).contains(name)) {
        throw new UsageException("--replica " + name + ": no such replica in " + config.file() + " (it has "
            + NodeSpecs.replicaNames(config) + ")");
      }
    }
    if (config.from().isPresent() && role() != FerryNode.Role.RUN) {
      throw new UsageException("journal.from is set in " + config.file() + ": this node receives its journal from"
          + " the primary and applies it; start it with 'ferry run' (there is nothing to "
          + role().name().toLowerCase(java.util.Locale.ROOT) + " separately)");
    }
    Path journalDir = config.journal().directory().toAbsolutePath();
    if (config.from().isPresent()) {
      // A promoted target must never go back to applying the old primary's journal (docs/failover.md).
      Optional<PromotionRecord> promoted = PromotionRecord.read(journalDir);
      if (promoted.isPresent()) {
        throw new CliException("journal " + journalDir + " was promoted at " + promoted.get().at() + " (branch point "
            + promoted.get().branchPoint().map(Object::toString).orElse("none") + ", " + journalDir.resolve(
            PromotionRecord.FILE) + "): its replicas are no longer replicas of that journal. Configure this node "
            + "with them as its source, without journal.from (docs/failover.md#promotion)");
      }
    }
    if (config.from().isEmpty() && role() != FerryNode.Role.APPLY) {
      try {
        Optional<dev.ferry.node.run.RejoinRecord> fenced = dev.ferry.node.run.RejoinRecord.read(journalDir);
        if (fenced.isPresent()) { // the old primary's tail is never captured on, shipped or merged
          throw new CliException(fenced.get().refusal(journalDir));
        }
        PromotedJournal.check(NodeSpecs.from(config)); // the promoted database continues the journal
      } catch (java.io.IOException e) {
        throw new CliException(e.getMessage());
      }
    }
    if (role() != FerryNode.Role.APPLY && !Files.isDirectory(journalDir) && !Files.isDirectory(journalDir.getParent())) {
      throw new CliException("journal.dir " + journalDir + ": its parent directory " + journalDir.getParent()
          + " does not exist (create it, or fix journal.dir in " + config.file() + ")");
    }
    Preflight.journalAndLog(config);
    if (role() != FerryNode.Role.APPLY) {
      Preflight.source(config);
    }
    if (role() != FerryNode.Role.CAPTURE) {
      Preflight.replicas(config);
    }
  }

  /** The node's HTTP server ({@code http:}), if configured; the node is closed if it cannot listen. */
  private Optional<SegmentServer> startServer(FerryConfig config, NodeSpec spec, FerryNode node, NodeMetrics metrics)
      throws java.io.IOException, InterruptedException {
    if (config.http().isEmpty()) {
      return Optional.empty();
    }
    List<ReplicaSpec> applied = role() == FerryNode.Role.CAPTURE ? List.of() : spec.replicas().stream()
        .filter(r -> replicas().isEmpty() || replicas().contains(r.name())).toList();
    boolean servesJournal = config.httpServesJournal() && role() != FerryNode.Role.APPLY;
    Optional<Path> journal = servesJournal ? Optional.of(config.journal().directory()) : Optional.empty();
    // Folded, the server is journal.serve.http's too: the same address and token, and its consumers.
    HttpServeConfig server = servesJournal ? config.serve().orElseThrow() : config.http().get();
    try {
      return Optional.of(NodeServer.start(server, node, metrics, applied, journal,
          "[node " + config.source().name() + "]"));
    } catch (java.io.IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private Optional<String> fatal(FerryNode node, NodeStatus now) {
    if (node.captureFailure().isPresent()) {
      return Optional.of("capture stopped with the error above");
    }
    if (role() == FerryNode.Role.APPLY && !now.replicas().isEmpty()
        && now.replicas().stream().allMatch(r -> r.state() == ReplicaState.FAILED)) {
      return Optional.of("every replica stopped with an error (above)");
    }
    return Optional.empty();
  }
}
