package dev.ferry.node.run;

import dev.ferry.journal.model.Side;
import dev.ferry.journal.Journal;
import dev.ferry.journal.JournalInspector;
import dev.ferry.journal.SegmentFiles;
import dev.ferry.journal.SegmentInfo;
import dev.ferry.journal.model.Gtid;
import dev.ferry.journal.model.JournalPosition;
import dev.ferry.transport.CopyFeed;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.http.SegmentServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica node's side of its journal copy: the transport that receives it ({@code journal.from})
 * and the start of the replicas once the copy exists (a new copy learns the primary's UUID from its
 * first segment, and the replicas' progress rows are keyed by it). Every configured replica is a
 * consumer of the copy from the start, so the copy purges a segment only once all of them applied
 * it. With {@code journal.serve.http} the copy is served again (cascading: A → B → C), exactly as
 * the primary serves its journal — same segments, same positions and GTIDs, so a node fed by this
 * one can later be pointed at the primary or a sibling — and the nodes listed in its
 * {@code consumers} hold the copy's segments as the replicas do. Thread-safe.
 */
final class CopyLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CopyLink.class);
  private static final Duration CHECK_STOP_EVERY = Duration.ofMillis(200);

  /** Starts the replicas on the copy of journal {@code copyId}. */
  @FunctionalInterface
  interface Starter {
    void start(String copyId, List<String> names);
  }

  /** A replica's status with its lag behind the copy's newest transactions. */
  @FunctionalInterface
  interface ReplicaStatus {
    NodeStatus.Replica of(ReplicaRunner r, List<Gtid> heads, Optional<Instant> headTime);
  }

  private final Path dir;
  private final RepointableFeed receiver;
  private final Optional<SegmentServer> server;
  private final List<String> names;
  private final ReentrantLock starting = new ReentrantLock();
  private volatile boolean stopping;
  private volatile Thread starter;

  private CopyLink(Path dir, RepointableFeed receiver, Optional<SegmentServer> server, List<String> names) {
    this.dir = dir;
    this.receiver = receiver;
    this.server = server;
    this.names = List.copyOf(names);
  }

  /** Registers the replicas as consumers of the copy in {@code spec.journal().directory()} and starts receiving. */
  static CopyLink start(NodeSpec spec, List<String> names) throws IOException {
    Path dir = spec.journal().directory();
    Files.createDirectories(dir);
    Map<String, JournalPosition> registered = Journal.consumers(dir);
    JournalPosition oldest = JournalPosition.startOf(JournalInspector.purgedThrough(dir) + 1);
    for (String name : spec.journalConsumers()) {
      if (!registered.containsKey(name)) {
        Journal.acknowledge(dir, name, oldest);
      }
    }
    RepointableFeed receiver = RepointableFeed.start(spec.journal(), spec.from().orElseThrow(),
        Set.copyOf(spec.replicas().stream().map(ReplicaSpec::name).toList()));
    try {
      Optional<SegmentServer> server = spec.serve().isPresent() && !spec.servedByNodeServer()
          ? Optional.of(SegmentServer.start(dir, spec.serve().get())) : Optional.empty();
      return new CopyLink(dir, receiver, server, names);
    } catch (IOException | RuntimeException e) {
      try {
        receiver.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  /** Calls {@code starter} on a thread of its own as soon as the copy exists (at once if it does). */
  void startReplicasOnceCopied(Starter s) {
    starter = Thread.ofVirtual().name("ferry-replicas-on-copy").start(() -> {
      try {
        while (!stopping) {
          if (receiver.awaitCopy(CHECK_STOP_EVERY)) {
            String id = JournalInspector.journalId(dir).toString();
            starting.lock();
            try {
              if (!stopping) {
                s.start(id, names);
              }
            } finally {
              starting.unlock();
            }
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        log.error("{} cannot read the copy's identity, replicas not started: {}", Side.journal(dir), e.getMessage());
      }
    });
  }

  /** No replica starts after this returns (those started before are the node's to stop). */
  void stopStarting() throws InterruptedException {
    stopping = true;
    starting.lock();
    starting.unlock();
    Thread t = starter;
    if (t != null) {
      t.interrupt();
      t.join();
    }
  }

  LinkStatus status() {
    return receiver.status();
  }

  /** The transport receiving the copy, which the replicas tell what they committed. */
  CopyFeed feed() {
    return receiver;
  }

  /** The node's status: the link, the copy's newest transactions, and each replica's lag behind them. */
  NodeStatus status(Instant now, String journalId, List<ReplicaRunner> runners, ReplicaStatus replicaStatus) {
    List<Gtid> heads = List.of();
    if (Files.exists(SegmentFiles.idFile(dir))) {
      try {
        heads = Gtids.newestByDomain(JournalInspector.list(dir).stream()
            .flatMap((SegmentInfo s) -> s.lastGtid().stream()).toList());
      } catch (IOException e) {
        log.debug("{} cannot list the copy for status: {}", Side.journal(dir), e.getMessage());
      }
    }
    Optional<Gtid> last = heads.stream().max(java.util.Comparator.comparingLong(Gtid::seq));
    List<NodeStatus.Replica> rs = new ArrayList<>();
    for (ReplicaRunner r : runners) {
      rs.add(replicaStatus.of(r, heads, Optional.empty()));
    }
    return new NodeStatus(now, Optional.empty(), new NodeStatus.Journal(dir.toString(), journalId, last,
        Optional.empty(), heads).withConsumersOf(dir), rs, List.of(receiver.status()));
  }

  /** Stops serving the copy, then receiving after the segment in hand; the copy holds it whole or not at all. */
  @Override
  public void close() throws IOException, InterruptedException {
    server.ifPresent(SegmentServer::close);
    receiver.close();
  }
}
