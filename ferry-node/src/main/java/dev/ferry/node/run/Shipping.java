package dev.ferry.node.run;

import dev.ferry.journal.Journal;
import dev.ferry.transport.archive.Archiver;
import dev.ferry.transport.LinkStatus;
import dev.ferry.transport.http.SegmentServer;
import dev.ferry.transport.push.PushSupplier;
import dev.ferry.transport.push.SyncGate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What ships the journal of a node that writes one: the archiver ({@code journal.archive}), the
 * HTTP server of its sealed segments ({@code journal.serve.http}) and a push supplier per replica
 * node ({@code journal.push}), any of them or none. Started with the journal open and closed before
 * it. Thread-safe.
 */
final class Shipping implements AutoCloseable {
  static final Shipping NONE = new Shipping(Optional.empty(), Optional.empty(), List.of());
  private final Optional<Archiver> archiver;
  private final Optional<SegmentServer> server;
  private final List<PushSupplier> suppliers;
  private final SyncGate gate;

  private Shipping(Optional<Archiver> archiver, Optional<SegmentServer> server, List<PushSupplier> suppliers) {
    this.archiver = archiver;
    this.server = server;
    this.suppliers = List.copyOf(suppliers);
    this.gate = SyncGate.start(suppliers);
  }

  /** Starts what {@code spec} asks for on {@code journal}; nothing is left running if a part fails. */
  static Shipping start(NodeSpec spec, Journal journal) throws IOException {
    Optional<Archiver> archiver = spec.archive().enabled() ? Optional.of(Archiver.start(journal, spec.archive()))
        : Optional.empty();
    try {
      Optional<SegmentServer> server = spec.serve().isPresent() && !spec.servedByNodeServer()
          ? Optional.of(SegmentServer.start(journal.directory(), spec.serve().get())) : Optional.empty();
      List<PushSupplier> suppliers = new ArrayList<>();
      spec.push().forEach(t -> suppliers.add(PushSupplier.start(journal, t)));
      return new Shipping(archiver, server, suppliers);
    } catch (IOException | RuntimeException e) {
      new Shipping(archiver, Optional.empty(), List.of()).closeQuietly();
      throw e;
    }
  }

  /** Each push link's status, in configuration order. */
  List<LinkStatus> links() {
    return suppliers.stream().map(PushSupplier::status).toList();
  }

  /** What holds back capture's confirmations for synchronous replica nodes (inactive without any). */
  SyncGate gate() {
    return gate;
  }

  /** Stops serving, then archiving after the segment in hand. */
  @Override
  public void close() throws InterruptedException {
    gate.close();
    for (PushSupplier s : suppliers) {
      s.close();
    }
    server.ifPresent(SegmentServer::close);
    if (archiver.isPresent()) {
      archiver.get().close();
    }
  }

  void closeQuietly() {
    try {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
