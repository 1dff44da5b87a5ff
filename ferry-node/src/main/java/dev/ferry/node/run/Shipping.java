package dev.ferry.node.run;

import dev.ferry.journal.Journal;
import dev.ferry.transport.archive.Archiver;
import dev.ferry.transport.http.SegmentServer;
import java.io.IOException;
import java.util.Optional;

/**
 * What ships the journal of a node that writes one: the archiver ({@code journal.archive}) and the
 * HTTP server of its sealed segments ({@code journal.serve.http}), either, both or none. Started
 * with the journal open and closed before it. Thread-safe.
 */
final class Shipping implements AutoCloseable {
  static final Shipping NONE = new Shipping(Optional.empty(), Optional.empty());
  private final Optional<Archiver> archiver;
  private final Optional<SegmentServer> server;

  private Shipping(Optional<Archiver> archiver, Optional<SegmentServer> server) {
    this.archiver = archiver;
    this.server = server;
  }

  /** Starts what {@code spec} asks for on {@code journal}; nothing is left running if a part fails. */
  static Shipping start(NodeSpec spec, Journal journal) throws IOException {
    Optional<Archiver> archiver = spec.archive().enabled() ? Optional.of(Archiver.start(journal, spec.archive()))
        : Optional.empty();
    try {
      Optional<SegmentServer> server = spec.serve().isPresent() && !spec.servedByNodeServer()
          ? Optional.of(SegmentServer.start(journal.directory(), spec.serve().get())) : Optional.empty();
      return new Shipping(archiver, server);
    } catch (IOException | RuntimeException e) {
      new Shipping(archiver, Optional.empty()).closeQuietly();
      throw e;
    }
  }

  /** Stops serving, then archiving after the segment in hand. */
  @Override
  public void close() throws InterruptedException {
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
